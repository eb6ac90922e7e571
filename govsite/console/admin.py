from django.contrib import admin

from govsite.console.models import ApiToken, ConsoleAudit


@admin.register(ConsoleAudit)
class ConsoleAuditAdmin(admin.ModelAdmin):
    list_display = ("at", "username", "channel", "action", "object_type", "object_id", "ip")
    list_filter = ("channel", "action")
    search_fields = ("username", "object_id")

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001 - the log is append-only
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "prefix", "created_at", "last_used_at", "revoked")
    readonly_fields = ("key_hash", "prefix", "created_at", "last_used_at")

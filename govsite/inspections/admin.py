"""Read-mostly admin views for campaigns (the console shows progress from these tables)."""

from django.contrib import admin

from govsite.inspections.models import (
    AccountabilityRecord,
    Assignment,
    AuditEntry,
    Campaign,
    CampaignSite,
    RectificationTask,
    Review,
    SelfCheckResult,
)


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "quarter", "kind", "state", "total", "done", "running", "failed", "eta_seconds")
    list_filter = ("quarter", "kind", "state")
    search_fields = ("name",)


@admin.register(CampaignSite)
class CampaignSiteAdmin(admin.ModelAdmin):
    list_display = ("campaign", "site", "state", "attempts", "auto_verdict", "reviewed_verdict", "review_state")
    list_filter = ("state", "auto_verdict", "review_state")
    search_fields = ("site__code", "site__name")
    raw_id_fields = ("campaign", "site")


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "actor", "action", "object_type", "object_id", "reason")
    list_filter = ("action",)

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001 - the log is append-only
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


for model in (Assignment, Review, SelfCheckResult, RectificationTask, AccountabilityRecord):
    admin.site.register(model)

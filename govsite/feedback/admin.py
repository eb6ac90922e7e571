"""Admin: administrators enter a year's official holiday arrangement here (or with
`govsite calendar import-year`); messages are browsable read-only (the workflow has its own pages)."""

from django.contrib import admin

from govsite.feedback.models import CalendarDay, CalendarYear, Message, Transition


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    extra = 3


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ("year", "source", "imported_by", "imported_at")
    inlines = [CalendarDayInline]


class TransitionInline(admin.TabularInline):
    model = Transition
    extra = 0
    can_delete = False
    readonly_fields = ("at", "actor_name", "actor_role", "action", "from_status", "to_status", "reason")
    fields = readonly_fields

    def has_add_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("id", "site_name", "category", "status", "created_at", "overdue")
    list_filter = ("status", "category", "overdue")
    search_fields = ("site_code", "site_name", "query_code")
    inlines = [TransitionInline]
    readonly_fields = [f.name for f in Message._meta.fields]

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False

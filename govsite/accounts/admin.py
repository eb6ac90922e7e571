from django.contrib import admin

from govsite.accounts.models import Membership


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "region", "department")
    list_filter = ("role",)
    filter_horizontal = ("sites",)
    raw_id_fields = ("user",)

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "govsite.accounts"
    verbose_name = "用户与权限"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from govsite.accounts.scope import region_tree_changed
        from govsite.registry.models import Region

        post_save.connect(region_tree_changed, sender=Region, dispatch_uid="accounts-region-tree-save")
        post_delete.connect(region_tree_changed, sender=Region, dispatch_uid="accounts-region-tree-delete")

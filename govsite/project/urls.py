from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("feedback/", include("govsite.feedback.urls")),
    path("console/", include("govsite.console.urls")),
]

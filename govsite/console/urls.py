from django.contrib.auth import views as auth_views
from django.urls import path

from govsite.console import views
from govsite.console.api import api

app_name = "console"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("login/", auth_views.LoginView.as_view(template_name="console/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="console:login"), name="logout"),
    path("sites/", views.registry, name="registry"),
    path("sites/<str:code>/", views.site_detail, name="site"),
    path("campaigns/", views.campaign_list, name="campaigns"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign"),
    path("campaigns/<int:pk>/results.xlsx", views.report_download, name="campaign_xlsx"),
    path("campaigns/<int:pk>/review/<str:code>/", views.review, name="review"),
    path("messages/", views.message_list, name="messages"),
    path("messages/<int:pk>/", views.message_detail, name="message"),
    path("rectifications/", views.rectifications, name="rectifications"),
    path("reports/<str:quarter>/notice.<str:fmt>", views.notice_download, name="notice"),
    path("api/", api.urls),
]

from django.urls import path

from govsite.feedback import views

app_name = "feedback"

urlpatterns = [
    path("", views.report, name="report"),
    path("jiucuo.html", views.report, name="report_entry"),  # the national path shape (/exposure/jiucuo.html)
    # Also under the national path shape, so checkers that look for /exposure/jiucuo.html?site_code=
    # recognise a plain link to this platform.
    path("exposure/jiucuo.html", views.report, name="report_exposure"),
    path("exposure/jiucuo.js", views.asset, {"name": "jiucuo.js"}, name="entry_script_exposure"),
    path("query/", views.query, name="query"),
    path("sites/", views.site_search, name="site_search"),
    path("captcha/<str:token>.png", views.captcha_image, name="captcha"),
    path("jiucuo.js", views.asset, {"name": "jiucuo.js"}, name="entry_script"),
    path("assets/<str:name>", views.asset, name="asset"),
    path("manage/", views.manage_list, name="manage_list"),
    path("manage/<int:pk>/", views.manage_detail, name="manage_detail"),
    path("manage/<int:pk>/screenshot", views.manage_screenshot, name="manage_screenshot"),
]

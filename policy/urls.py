"""Staff pages of the policy app (filled in by its issue)."""

app_name = "policy"
urlpatterns = []

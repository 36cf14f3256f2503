"""Staff pages of the outreach app (filled in by its issue)."""

app_name = "outreach"
urlpatterns = []

from .pages import ProtectedAreaPages

app_name = "reserves"
# area-list, area-create, area-detail, area-edit at /reserves/, new/, <pk>/, <pk>/edit/
urlpatterns = [*ProtectedAreaPages().urls]

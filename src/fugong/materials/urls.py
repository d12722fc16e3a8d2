from django.urls import path

from fugong.materials import views

app_name = "materials"
urlpatterns = [
    path("", views.home, name="home"),
    path("enterprises/", views.enterprise_list, name="enterprises"),
    path("enterprises/<int:pk>/", views.enterprise_detail, name="enterprise"),
    path("enterprises/<int:pk>/movements/", views.movement_list, name="movements"),
    path("enterprises/<int:pk>/movements/add/", views.movement_add, name="movement-add"),
    path("enterprises/<int:pk>/count/", views.count_view, name="count"),
    path("stockpiles/", views.stockpile_list, name="stockpiles"),
    path("stockpiles/<int:pk>/", views.stockpile_detail, name="stockpile"),
    path("stockpiles/<int:pk>/receive/", views.stockpile_receive, name="stockpile-receive"),
    path("allocations/", views.allocation_list, name="allocations"),
    path("allocations/propose/", views.propose, name="propose"),
    path("allocations/incoming/", views.incoming, name="incoming"),
    path("allocations/<int:pk>/confirm/", views.allocation_confirm_view, name="allocation-confirm"),
    path("allocations/<int:pk>/cancel/", views.allocation_cancel_view, name="allocation-cancel"),
    path("allocations/<int:pk>/receive/", views.allocation_receive_view, name="allocation-receive"),
]

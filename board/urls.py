"""The board's pages and its snapshot endpoint, plugged into dutyops/urls.py."""

from django.urls import path

from . import views

api_urlpatterns = [
    path("board/snapshot/", views.SnapshotView.as_view(), name="board-snapshot"),
]
page_urlpatterns = [
    path("board/", views.board_page, name="board"),
    path("board/leader/", views.leader_page, name="board-leader"),
    path("console/", views.console_page, name="console"),
]


def register(router):
    """No viewsets: the board reads the other domains' resources."""

"""GET /api/v1/events/?after=<seq>: the event stream over HTTP."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors
from .wire import envelope

MAX_LIMIT = 1000


class EventListQuery(serializers.Serializer):
    after = serializers.IntegerField(min_value=0, default=0)
    limit = serializers.IntegerField(min_value=1, max_value=MAX_LIMIT, default=200)


class EventSerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    type = serializers.CharField()
    at = serializers.DateTimeField()
    data = serializers.DictField()


class EventListView(APIView):
    """Events after `after` that you may see, oldest first. Follow `next` to page on."""

    @extend_schema(
        parameters=[
            OpenApiParameter("after", int, description="last seq you have seen (0 = from the start)"),
            OpenApiParameter("limit", int, description=f"page size, at most {MAX_LIMIT}"),
        ],
        responses=inline_serializer(
            "EventPage",
            {
                "count": serializers.IntegerField(),
                "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True),
                "results": EventSerializer(many=True),
            },
        ),
    )
    def get(self, request):
        query = EventListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        after, limit = query.validated_data["after"], query.validated_data["limit"]
        events = selectors.visible_events(request.user, after, limit)
        count = selectors.count_visible_events(request.user, after)
        next_url = None
        if count > len(events):
            next_url = request.build_absolute_uri(f"{request.path}?after={events[-1].seq}&limit={limit}")
        return Response({"count": count, "next": next_url, "previous": None, "results": [envelope(e) for e in events]})

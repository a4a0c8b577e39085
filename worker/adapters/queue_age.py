"""Age of the oldest message in the feedback queue, for the backlog alert.

SQS does not return it from ``GetQueueAttributes``; it is the CloudWatch metric
``AWS/SQS ApproximateAgeOfOldestMessage`` (per queue, 1-minute resolution, published a
few minutes late). :class:`CloudWatchQueueAge` reads its latest ``Maximum``; with no
datapoint (a local SQS, metrics not published yet) the rule simply has no reading.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from worker.adapters.aws import short_call_client

#: How far back to look for the latest datapoint.
LOOKBACK = timedelta(minutes=10)


def queue_name_of(queue_url: str) -> str:
    return queue_url.rstrip("/").rsplit("/", 1)[-1]


class CloudWatchQueueAge:
    """Implements :class:`worker.handlers.alerts.QueueAgeProbe`."""

    def __init__(self, queue_url: str, client: Any) -> None:
        self.queue_name = queue_name_of(queue_url)
        self.client = client

    def oldest_message_age(self, now: datetime) -> timedelta | None:
        answer = self.client.get_metric_statistics(
            Namespace="AWS/SQS",
            MetricName="ApproximateAgeOfOldestMessage",
            Dimensions=[{"Name": "QueueName", "Value": self.queue_name}],
            StartTime=now - LOOKBACK,
            EndTime=now,
            Period=60,
            Statistics=["Maximum"],
        )
        points = sorted(answer.get("Datapoints") or [], key=lambda p: p["Timestamp"])
        if not points:
            return None
        return timedelta(seconds=float(points[-1]["Maximum"]))


def cloudwatch_client(region: str, *, endpoint_url: str | None = None, timeout: float = 5.0) -> Any:
    return short_call_client("cloudwatch", region, endpoint_url=endpoint_url, timeout=timeout)

"""A meeting-notes summary through Sluice with the official `anthropic` SDK, streamed: names, emails and
phone numbers are replaced by placeholders before the transcript leaves for any cloud model, and put back
in the summary on the way back.

    SLUICE_API_KEY=sluice_... python examples/meeting_summary.py
"""

from __future__ import annotations

import anthropic
from _sluice import print_route, settings

TRANSCRIPT = """Weekly platform sync, 3 December.
Alex Moreno: the database failover drill ran on Tuesday; replication lag peaked at 40 seconds.
Jordan Lee: the runbook step for promoting the replica is out of date; I will rewrite it by Friday.
Alex Moreno: vendor contact for the storage array is sam.okafor@storage-vendor.example, 415-555-0187.
Decision: the next drill is on 17 December, with the new runbook."""


def main() -> None:
    url, key = settings()
    client = anthropic.Anthropic(base_url=url, api_key=key)
    with client.messages.stream(
        model="sluice-auto",
        max_tokens=400,
        system="Summarise meeting notes: decisions, then actions with owners and dates.",
        messages=[{"role": "user", "content": TRANSCRIPT}],
    ) as stream:
        for event in stream:
            if event.type == "text":
                print(event.text, end="", flush=True)
            elif event.type == "message_delta":
                finished = event  # Sluice says where the summary was written on the stream's last delta
        print()
    print_route(finished)


if __name__ == "__main__":
    main()

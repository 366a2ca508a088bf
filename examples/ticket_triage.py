"""Ticket triage through Sluice with the official `openai` SDK: a support ticket that names a customer goes
to the model the routing policy picks (the default policy answers customer data on-prem first, the cloud
only as a redacted fallback), and the model files the ticket by calling a tool.

    SLUICE_API_KEY=sluice_... python examples/ticket_triage.py
"""

from __future__ import annotations

import json

import openai
from _sluice import print_route, settings

TICKET = """From: Priya Raman <priya.raman@northwind.example>
Customer: CUST-204518
Our nightly export to the data warehouse failed twice this week with a timeout after 30 minutes.
Call me back on +1-604-696-5272x565 if you need the logs."""

FILE_TICKET = {
    "type": "function",
    "function": {
        "name": "file_ticket",
        "description": "File the ticket in a support queue with a priority.",
        "parameters": {
            "type": "object",
            "properties": {
                "queue": {"type": "string", "enum": ["billing", "data-platform", "accounts", "other"]},
                "priority": {"type": "string", "enum": ["low", "normal", "high"]},
                "summary": {"type": "string", "description": "One line for the queue's board."},
            },
            "required": ["queue", "priority", "summary"],
        },
    },
}


def main() -> None:
    url, key = settings()
    client = openai.OpenAI(base_url=f"{url}/v1", api_key=key)
    reply = client.chat.completions.create(
        model="sluice-auto",
        messages=[
            {"role": "system", "content": "You triage support tickets. File each one with the file_ticket tool."},
            {"role": "user", "content": TICKET},
        ],
        tools=[FILE_TICKET],
        tool_choice="required",
    )
    message = reply.choices[0].message
    for call in message.tool_calls or []:
        print(f"{call.function.name}: {json.dumps(json.loads(call.function.arguments), ensure_ascii=False)}")
    if message.content:
        print(message.content)
    print_route(reply)


if __name__ == "__main__":
    main()

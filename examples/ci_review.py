"""A CI review of a diff through Sluice with the official `openai` SDK, on-prem only (`sluice-onprem`): the
diff never leaves the building, and a secret in it is removed for good before any model reads it.

    git diff origin/main | SLUICE_API_KEY=sluice_... python examples/ci_review.py
    SLUICE_API_KEY=sluice_... python examples/ci_review.py   # reviews a sample diff
"""

from __future__ import annotations

import sys

import openai
from _sluice import print_route, settings

SAMPLE_DIFF = """--- a/deploy/upload.py
+++ b/deploy/upload.py
@@ -1,6 +1,8 @@
 import boto3
+AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
+AWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

 def upload(path):
-    s3 = boto3.client("s3")
+    s3 = boto3.client("s3", aws_access_key_id=AWS_ACCESS_KEY_ID, aws_secret_access_key=AWS_SECRET_ACCESS_KEY)
     s3.upload_file(path, "builds", path)
"""


def main() -> None:
    url, key = settings()
    diff = (sys.stdin.read() if not sys.stdin.isatty() else "").strip() or SAMPLE_DIFF
    client = openai.OpenAI(base_url=f"{url}/v1", api_key=key)
    reply = client.chat.completions.create(
        model="sluice-onprem",
        messages=[
            {
                "role": "system",
                "content": "You review pull requests: list bugs and risks, briefly, most serious first.",
            },
            {"role": "user", "content": f"Review this diff:\n\n{diff}"},
        ],
    )
    print(reply.choices[0].message.content)
    print_route(reply)


if __name__ == "__main__":
    main()

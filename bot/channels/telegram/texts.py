"""Telegram-only texts (English): privacy notice, offers and staff-group messages.

The conversation's own replies come from ``handlers.catalogue`` in the citizen's language;
these are the few extras only Telegram's buttons and commands need.
"""

from __future__ import annotations

START_NOTE = (
    "\n\nWhat we keep: your messages and reports, linked to a pseudonym of your Telegram "
    "chat id (never your name or phone number), until you send /forget. Read /privacy for "
    "details."
)
PRIVACY = (
    "Privacy: we keep the messages you send here, the reports filed from them and any photo "
    "or location you share, so staff can act and you can follow up. Your Telegram chat id "
    "is stored only as a keyed pseudonym plus an encrypted copy used to reply to you; staff "
    "and statistics see reports with phone numbers and e-mail addresses removed. Send "
    "/forget to erase your messages and identity (reports stay as anonymous counts), or "
    "/stop to get no more messages."
)
OFFER = (
    "To help staff find it, share the location (button below) or send a photo; it will be "
    "added to {reference}."
)
SHARE_LOCATION = "📍 Share location"
CONFIRM_AREA = "✅ Right team"
CHANGE_AREA = "✏️ Change team"
AREA_CONFIRMED = "Thank you for confirming."
AREA_CHANGED = "Sent to the {area} team instead."
AREA_LOCKED = "Staff are already working on {reference}; reply here to tell them."
AREA_GONE = "That team is no longer available; your report stays where it is."
NOT_YOURS = "That button belongs to another report."
STAFF_ONLY = "Only linked staff members can do this."
USE_PRIVATE = "Send /iam EMAIL TOKEN to me in a private chat, then revoke that token."
IAM_USAGE = "Usage: /iam EMAIL TOKEN (an API token from 'civicvoice tokens create EMAIL')."
IAM_OK = "Linked: you can now act on reports in the staff groups for your areas."
IAM_BAD = "That e-mail and token do not match an active account."
LINK_USAGE = "Usage in a staff group: /link CODE (from 'civicvoice telegram link-code')."
LINK_OK = "This group now receives urgent reports for: {areas}."
LINK_BAD = "That code is not valid, has expired or was used already."
URGENT = "🚨 URGENT {reference} ({area})\n{text}"
REOPENED = "↩️ REOPENED {reference} ({area}): the citizen says it is not fixed.\n{text}"
TAKE, RESOLVE, REROUTE = "🙋 Take", "✅ Resolve", "↪️ Re-route"
STAFF_DONE = "{action} by {name}."
STAFF_FAILED = "Could not do that: {reason}"
ADMIN_ONLY = "Only an admin linked with /iam can do this."
RETRAIN_STARTED = ("Retraining started. I will post the result here; /retrain status shows "
                   "progress.")
RETRAIN_BUSY = "Not started: {reason}."
RETRAIN_NEVER = "No retrain has run yet."
RETRAIN_RUNNING = "Retraining (asked by {actor}): {step}"
RETRAIN_DONE = ("Retrain {decision}: {version}. Held-out macro-F1 {candidate:.3f} vs current "
                "{current:.3f}; {labels} staff labels used. {reason}")
RETRAIN_FAILED = "Retrain failed: {reason}"

"""One emoji, one spelling: Slack names and Telegram's Unicode must meet, for any emoji."""

from __future__ import annotations

import pytest

from storage.emoji import normalize_emoji

# The names the first hand-written table knew: each still gives the same emoji.
EARLIER_TABLE = {
    "fire": "🔥", "+1": "👍", "thumbsup": "👍", "-1": "👎", "thumbsdown": "👎", "neutral_face": "😐", "heart": "❤",
    "star": "⭐", "star-struck": "🤩", "star_struck": "🤩", "clap": "👏", "tada": "🎉", "rocket": "🚀", "eyes": "👀",
    "joy": "😂", "slightly_smiling_face": "🙂", "smile": "😄", "disappointed": "😞", "white_check_mark": "✅",
    "100": "💯", "heart_eyes": "😍", "thinking_face": "🤔", "confused": "😕", "zzz": "💤",
}


@pytest.mark.parametrize(("name", "expected"), EARLIER_TABLE.items())
def test_the_names_of_the_earlier_table_still_resolve(name, expected):
    assert normalize_emoji(name) == normalize_emoji(f":{name}:") == expected


@pytest.mark.parametrize(
    ("slack", "telegram"),
    [
        ("pray", "🙏🏾"),  # a skin tone on Telegram's side
        ("partying_face", "🥳"),
        ("melting_face", "🫠"),  # a recent emoji
        ("raised_hands::skin-tone-2", "🙌🏻"),  # skin tones on both sides
        ("man-shrugging::skin-tone-3", "🤷🏼‍♂️"),  # a ZWJ sequence, Slack's hyphenated name
        ("male-technologist", "👨‍💻"),  # Slack's male-/female- names
        ("flag-fr", "🇫🇷"),  # a flag
        ("heart_on_fire", "❤️‍🔥"),  # variation selector inside a sequence
        ("face_with_cowboy_hat", "🤠"),  # Slack's alias is the Unicode name
        ("simple_smile", "🙂"),  # a Slack-only name
        ("keycap_ten", "🔟"),
        ("hash", "#️⃣"),
    ],
)
def test_any_slack_name_and_the_same_unicode_emoji_are_one_emoji(slack, telegram):
    assert normalize_emoji(slack) == normalize_emoji(f":{slack}:") == normalize_emoji(telegram)
    assert not normalize_emoji(slack).startswith(":")


def test_spellings_that_are_no_unicode_emoji_stay_apart():
    assert normalize_emoji("partyparrot") == normalize_emoji(":PartyParrot:") == ":partyparrot:"  # a workspace's own
    assert normalize_emoji("skin-tone-2") == ":skin-tone-2:"  # a modifier alone is not a vote
    assert normalize_emoji("custom:5368324170671202286") == "custom:5368324170671202286"  # Telegram custom emoji
    assert normalize_emoji("👍") != normalize_emoji("👎")
    assert normalize_emoji("  ") == ""

"""What a person typed is shown exactly as typed: nothing formats, nothing pings, links stay the links typed."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from bot.blocks import (
    MAX_HEADER,
    MAX_TEXT,
    clip,
    context,
    header,
    plain,
    said,
    slack_escape,
    task_label,
    task_line,
)
from domains.tasks.model import MAX_DESCRIPTION, MAX_TITLE, TaskView
from tests.fakes.slack_text import markup_texts, rich_parts, shown_text, unescape

TYPED = [
    "get_user_id",
    "*x*",
    "_y_",
    "~z~",
    "`c`",
    "<!channel>",
    "<@U123>",
    "https://example.com/a_b_c?x=1&y=2",
    "Fix the 🦜 beak 👍🏽 and 👨‍👩‍👧 :tada:",
    "תקן את המקור של התוכי",  # right-to-left
    "مرحبا <b>&amp;</b> ~not struck~",
    "> not a quote\n```not code```",
]


def dm(shown: TaskView) -> list[dict[str, Any]]:
    """A task as a message shows it: its line (name, ref, description) and who created it."""
    return [task_line(shown).to_dict(), context(f"Created by <@{shown.author_id}>").to_dict()]


def task(title: str, description: str = "", jira_id: str | None = None) -> TaskView:
    return TaskView(uuid.UUID(int=7), title, jira_id, description, "open", "UAUTHOR", "UASSIGNEE")


@pytest.mark.parametrize("typed", TYPED)
def test_user_text_round_trips_through_a_dm_exactly_as_typed(typed: str) -> None:
    blocks = dm(task(typed, description=typed, jira_id=typed[:20]))
    texts = [part["text"] for part in rich_parts(blocks) if part["type"] == "text"]
    assert typed in texts and typed[:20] in texts  # the title and the Jira id: each one element, verbatim
    assert shown_text(blocks[:1]).endswith(f"\n{typed}")  # the description, links and all
    assert typed in shown_text(blocks)


@pytest.mark.parametrize("typed", TYPED)
def test_user_text_is_never_formatted_and_never_pings(typed: str) -> None:
    blocks = dm(task(typed, description=typed))
    markup = "".join(markup_texts(blocks))  # where Slack reads <…> and *…*: user text never goes there
    assert "<!channel>" not in markup and "<@U123>" not in markup and typed not in markup
    for part in rich_parts(blocks):
        assert part["type"] in ("text", "link")  # no mention, broadcast or emoji element made of user text
        assert set(part["style"]) == {"bold", "italic", "strike", "code"}  # every style spelled out
    assert "<@UAUTHOR>" in markup  # our own mention of the author still is one


def test_only_slacks_three_control_characters_are_escaped() -> None:
    assert slack_escape("a & b < c > d \"e\" 'f' *g* _h_ ~i~ `j`") == (
        "a &amp; b &lt; c &gt; d \"e\" 'f' *g* _h_ ~i~ `j`"
    )
    assert unescape(slack_escape("&amp; &lt;")) == "&amp; &lt;"  # typed entities come back as typed


def test_no_look_alike_characters_anywhere() -> None:
    shown = shown_text(dm(task("get_user_id *x* ~z~ `c`", description="_y_")))
    assert "get_user_id *x* ~z~ `c`" in shown and "_y_" in shown
    assert not set(shown) & set("∗ˍ∼ˋ")


def test_a_url_with_underscores_stays_the_link_typed() -> None:
    url = "https://example.com/a_b_c?q=1&r=2"
    blocks = dm(task("t", description=f"See {url}, or https://example.com/x_y."))
    links = [p for p in rich_parts(blocks) if p["type"] == "link"]
    assert [(link["url"], link["text"]) for link in links] == [(url, url), ("https://example.com/x_y",) * 2]
    assert not any(style for link in links for style in link["style"].values())
    assert f"See {url}, or https://example.com/x_y." in shown_text(blocks)


def test_a_url_cut_short_by_a_limit_is_not_made_a_link_to_somewhere_else() -> None:
    line = task_line(task("t", description="x " + "https://example.com/" + "a_" * 400)).to_dict()
    assert [p for p in rich_parts([line]) if p["type"] == "link"] == []
    assert shown_text([line]).endswith("a_a…")


def test_the_notification_text_is_escaped_but_otherwise_as_typed() -> None:
    assert task_label("<!here> *x* & y", "UP_1") == "&lt;!here&gt; *x* &amp; y (UP_1)"


@pytest.mark.parametrize("limit", [1, 2, 3, 5, 10, 150])
def test_clipping_never_breaks_an_entity_an_emoji_or_the_limit(limit: int) -> None:
    for text in ["&" * 400, "👍🏽" * 200, "e\u0301" * 300, "👨‍👩‍👧" * 100, "🇮🇱" * 100, "a<" * 300]:
        kept = clip(text, limit)
        escaped = slack_escape(kept)
        assert len(escaped.encode("utf-16-le")) // 2 <= limit
        assert kept.endswith("…") and text.startswith(kept[:-1])
        assert not kept[:-1].endswith(("\u200d", "\U0001f44d")) or limit < 3  # no half a skin-toned thumb
    assert clip("short", 10) == "short"


def test_slacks_limits_hold_for_the_longest_texts() -> None:
    longest = task("&" * MAX_TITLE, description="<" * MAX_DESCRIPTION, jira_id="&" * 32)
    for part in rich_parts(dm(longest)):
        assert len(slack_escape(part.get("text", ""))) <= MAX_TEXT  # within the limit even if Slack counted escaped
    assert len(header("&" * 500).to_dict()["text"]["text"]) <= MAX_HEADER
    assert said("é" * 5000).to_dict()["text"].endswith("…")


def test_plain_text_is_escaped_and_emoji_codes_are_not_read() -> None:
    assert plain("Sky & <Max> :tada:").to_dict() == {
        "type": "plain_text",
        "text": "Sky &amp; &lt;Max&gt; :tada:",
        "emoji": False,
    }

"""The shape of answer a question asks for (language/shapes.py): representative questions of each
shape, the hard cases where the line is drawn, and the labelled set as a whole."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from evals.shape_accuracy import KITS, in_part, load
from language.shapes import Shape, asked_shape
from tests.conftest import REPO

FACTOID, OVERVIEW, TIMELINE, LATEST, WHY, LIST = Shape


@pytest.mark.parametrize(
    ("question", "shape"),
    [
        # factoid: who / when / where / how many / which one, today's path
        ("Who won the mayoral race in Leeds?", FACTOID),
        ("When did the dockers' strike begin?", FACTOID),
        ("Where did the tanker run aground?", FACTOID),
        ("How many flights were cancelled on Sunday?", FACTOID),
        ("Which carmaker recalled 40,000 vans?", FACTOID),
        ("Did the council approve the budget?", FACTOID),
        # overview
        ("What happened at the climate talks in Bonn?", OVERVIEW),
        ("Tell me about the floods in Valencia.", OVERVIEW),
        ("Summarize the dockers' strike", OVERVIEW),
        ("what's going on with the port of Felixstowe", OVERVIEW),
        ("Give me the background on the water company's debts.", OVERVIEW),
        ("tldr on the Valencia floods", OVERVIEW),
        # timeline
        ("Give me a timeline of the Felixstowe strike.", TIMELINE),
        ("Walk me through the takeover battle for the brewery.", TIMELINE),
        ("How did the standoff at the port unfold?", TIMELINE),
        ("What has happened since the dam burst?", TIMELINE),
        ("chronology of the rail dispute pls", TIMELINE),
        ("What was the sequence of events at the stadium?", TIMELINE),
        # latest
        ("What's the latest on the Felixstowe strike?", LATEST),
        ("any news on the missing climbers?", LATEST),
        ("Update on the brewery takeover?", LATEST),
        ("Where does the planning appeal stand?", LATEST),
        ("What's new with the rail dispute?", LATEST),
        ("Is the walkout still on?", LATEST),
        # why
        ("Why did the brewery close?", WHY),
        ("What caused the blackout in Lisbon?", WHY),
        ("What led to the collapse of the coalition?", WHY),
        ("How did the rebels manage to take the airport?", WHY),
        ("What is behind the rise in rents?", WHY),
        ("how come the ferry sank", WHY),
        # list
        ("Which cities did the marches reach?", LIST),
        ("Which countries have recalled their ambassadors?", LIST),
        ("Which companies pulled out of the trade fair?", LIST),
        ("What did the leaked memos reveal?", LIST),
        ("Name the players in the squad.", LIST),
        ("List the towns that were evacuated.", LIST),
    ],
)
def test_each_shape(question: str, shape: Shape) -> None:
    assert asked_shape(question) is shape


@pytest.mark.parametrize(
    ("question", "shape"),
    [
        # one of a kind, or the members of a kind
        ("Which city hosted the summit?", FACTOID),
        ("Which cities did the protests reach?", LIST),
        ("Which two cities did the protests reach first?", FACTOID),
        ("Which of these cities did the protests reach?", FACTOID),
        ("How many cities did the protests reach?", FACTOID),
        ("Which company's shares fell the most?", FACTOID),  # the company, not its shares
        ("Which sports team won the cup?", FACTOID),  # "sports" names a kind of team
        ("Which animal tends to sleep longest?", FACTOID),  # "tends" is a verb
        ("Which U.S. states banned the app?", LIST),
        ("Which MPs voted against the motion?", LIST),  # a kind in capitals, not a name
        ("Which CEOs met the president?", LIST),
        # "how did X ...": a timeline, a reaction, or how it came about
        ("How did the crisis unfold?", TIMELINE),
        ("How has the dispute developed since March?", TIMELINE),
        ("How did the government respond?", OVERVIEW),
        ("How did the challenger win the election?", WHY),
        ("How did the fire start?", WHY),
        # "what happened": an overview of a window, or a quiz's one event
        ("What happened to the bank on 5 May?", OVERVIEW),
        ("What happened in parliament today?", OVERVIEW),
        ("What happened when the fans reached the gates?", FACTOID),
        ("The match was stopped after what happened?", FACTOID),
        # "since", "latest" and "behind" only in their senses
        ("Since when has the bridge been closed?", FACTOID),
        ("Which states have banned the app since 2022?", LIST),
        ("Who is the latest minister to resign?", FACTOID),
        ("According to the latest census, how many people live in the city?", FACTOID),
        ("Who was behind the attack on the pipeline?", FACTOID),
        ("What's the current death toll?", FACTOID),
        ("What time does the count start?", FACTOID),
        # a question asking which/who takes "describe" or "in order to" as part of its fact
        ("Which ruling did the minister describe as a disgrace?", FACTOID),
        ("Which role is the mayor hiring for in order to fight rats?", FACTOID),
        ("Which film did the critic say is “what's happening right now”?", FACTOID),
        # quizzes set the scene first: the asking clause decides
        ("The storm hit the coast this week. Which town recorded the most rain?", FACTOID),
        ("The storm hit the coast this week. Tell me what happened.", OVERVIEW),
        ("The rally ended at noon. Now, what's the latest?", LATEST),
        ("The winners were named on Friday. The film won best picture:", FACTOID),
    ],
)
def test_hard_cases(question: str, shape: Shape) -> None:
    assert asked_shape(question) is shape


@pytest.mark.parametrize(
    ("question", "shape"),
    [
        ("<@U024BE7LH> whats the lastest on the strike", LATEST),
        ("@newsdesk wich cities flooded?", LIST),
        ("wy did the mayor quit", WHY),
        ("timline of the port strike pls", TIMELINE),
        ("walk me thru the merger", TIMELINE),
        ("what happend at the party conference", OVERVIEW),
        ("WHAT'S THE LATEST ON THE STRIKE?", LATEST),
        ("What’s going on with the ferries?", OVERVIEW),  # curly apostrophe
        ("Timeline pls: the port strike", TIMELINE),  # the asking clause says no more than a name
        ("So why did they call it off?", WHY),  # a follow-up
        ("ok and what's the latest there?", LATEST),
        ("What's the latest on the strike as of 3 March 2023?", LATEST),
    ],
)
def test_chat_spellings_and_follow_ups(question: str, shape: Shape) -> None:
    assert asked_shape(question) is shape


def test_only_composed_shapes_are_composed() -> None:
    assert [shape for shape in Shape if not shape.composed] == [FACTOID]


def test_the_labelled_set_is_read_well() -> None:
    """A floor under the figures `python -m evals.shape_accuracy` prints (evals/data/README.md)."""
    items = load()
    assert len(items) >= 300
    for part, floor in (("develop", 0.95), ("held-out", 0.85)):
        chosen = in_part(items, part)
        assert sum(asked_shape(item.question) is item.shape for item in chosen) / len(chosen) >= floor, part


@pytest.mark.skipif(not KITS.is_dir(), reason="the benchmark kits are not beside this checkout")
def test_dev_kit_quiz_questions_stay_factoids() -> None:
    """RealTimeQA's quiz items ask for one fact; the few read otherwise are its "why" questions and
    its plurals (evals/data/README.md)."""
    questions = [json.loads(line)["question"]
                 for line in (KITS / "realtimeqa-dev" / "questions.jsonl").open(encoding="utf-8")]
    read = [asked_shape(q) for q in questions]
    assert read.count(FACTOID) / len(read) >= 0.97
    assert set(read) <= {FACTOID, WHY, LIST}


def test_reading_the_shape_loads_no_model_library() -> None:
    code = ("import sys, language.shapes; "
            "print(sorted(m for m in ('torch', 'spacy', 'sklearn', 'onnxruntime') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"

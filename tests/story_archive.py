"""A small archive of one story told over ten days, for composed answers: a dockworkers' strike
that spreads from port to port and ends in a deal (six articles, one of them a wire copy of
another), a neighbouring story that shares some of its words (a rail strike, also in Rotterdam),
and an unrelated one. Invented for these tests; the cities are real ones.

The data directory with it ingested is the `story_home` fixture (tests/conftest.py).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

END = date(2023, 3, 16)  # after the last article
STORY = {"a1", "a2", "a3", "a4", "a5", "a5-copy"}
NEIGHBOURS = {"rail", "football"}

ARTICLES = [
    {"id": "a1", "published": "2023-03-06", "source": "Harbour Times", "url": "https://harbour.example/a1",
     "title": "Dockworkers walk out at Rotterdam port",
     "text": "Dockworkers at the port of Rotterdam walked off the job on Monday, halting container traffic "
             "at Europe's largest port.\nThe strike was called because wage talks between the dockworkers' "
             "union and terminal operators collapsed last week.\nUnion leaders said inflation had eroded "
             "their members' pay by more than ten percent.\nTerminal operators said the walkout would cost "
             "millions of euros a day.\n"},
    {"id": "a2", "published": "2023-03-08", "source": "Continental Wire", "url": "https://wire.example/a2",
     "title": "Dock strike spreads to Antwerp and Hamburg",
     "text": "The dockworkers' strike spread to Antwerp on Tuesday, as crane operators there stopped work "
             "in solidarity with their colleagues in Rotterdam.\nA day later, dockworkers in Hamburg joined "
             "the walkout, leaving dozens of container ships waiting at anchor in the North Sea.\nShipping "
             "lines warned customers of delays of up to two weeks.\nThe union said the strike would continue "
             "until employers offered a raise in line with inflation.\n"},
    {"id": "rail", "published": "2023-03-09", "source": "Continental Wire", "url": "https://wire.example/rail",
     "title": "Train drivers strike over pensions",
     "text": "Train drivers in the Netherlands went on strike on Thursday over changes to their pensions, "
             "cancelling most trains between Rotterdam and Amsterdam.\nThe rail union said the strike would "
             "last for two days.\nCommuters crowded onto buses, and roads were jammed around Utrecht.\n"},
    {"id": "a3", "published": "2023-03-10", "source": "Baltic Daily", "url": "https://baltic.example/a3",
     "title": "Polish port of Gdańsk joins dock strike",
     "text": "Dockworkers in the Polish port of Gdańsk stopped work on Thursday, the fourth port to join the "
             "strike.\nSupermarkets across the region reported shortages of imported fruit as containers "
             "piled up on the quays.\nEconomists estimated that the dock strike had already disrupted trade "
             "worth two billion euros.\n"},
    {"id": "football", "published": "2023-03-11", "source": "Sports Desk", "url": "https://sports.example/f",
     "title": "Feyenoord beat Ajax in Rotterdam",
     "text": "Feyenoord beat Ajax 3-1 in Rotterdam on Saturday to stay top of the league.\nThe home side "
             "scored twice in the last ten minutes in front of a sold-out stadium.\n"},
    {"id": "a4", "published": "2023-03-13", "source": "Harbour Times", "url": "https://harbour.example/a4",
     "title": "Dock strike talks resume under government mediator",
     "text": "Talks between the dockworkers' union and terminal operators resumed on Sunday under a "
             "government mediator.\nThe mediator proposed a two-year deal with a nine percent raise, which "
             "the union said it would put to its members.\nDockworkers in Gdansk said they would stay off "
             "the job until the vote.\n"},
    {"id": "a5", "published": "2023-03-15", "source": "Continental Wire", "url": "https://wire.example/a5",
     "title": "Dockworkers accept deal, ending strike",
     "text": "Dockworkers voted on Tuesday to accept a two-year wage deal, ending the strike that had shut "
             "down ports from Rotterdam to Gdańsk for more than a week.\nThe deal gives dockworkers a nine "
             "percent raise over two years.\nOperators said container traffic would return to normal by the "
             "weekend, after a backlog of ships is cleared.\n"},
    {"id": "a5-copy", "published": "2023-03-15", "source": "Coastal Herald", "url": "https://coastal.example/a5",
     "title": "Dockworkers accept deal, ending strike",
     "text": "Dockworkers voted on Tuesday to accept a two-year wage deal, ending the strike that had shut "
             "down ports from Rotterdam to Gdańsk for more than a week.\nThe deal gives dockworkers a nine "
             "percent raise over two years.\nOperators said container traffic would return to normal by the "
             "weekend, after a backlog of ships is cleared.\nCoastal Herald staff contributed.\n"},
]


def write_archive(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "dock-strike.jsonl"
    path.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in ARTICLES), encoding="utf-8")
    return path

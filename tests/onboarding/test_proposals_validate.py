"""Every proposal, of the seeds and of the hand-written snippets, passes the loader's checks as
proposed: a reviewer who changes nothing can confirm it."""

from pathlib import Path

import pytest
import yaml
from django.conf import settings

from onboarding.proposer import fixture_dict, propose
from provinces.policy_loader import read_document_file
from tests.onboarding.test_proposer import CITY, MORE, NOTICE

SOURCES = settings.BASE_DIR / "fixtures" / "sources"
TEXTS = {path.name: path.read_text(encoding="utf-8") for path in sorted(SOURCES.glob("0*.txt"))}
TEXTS |= {"city": CITY, "notice": NOTICE, "more": MORE}


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_the_proposal_is_a_valid_fixture_file(tmp_path: Path, name: str):
    text = TEXTS[name]
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "doc.txt").write_text(text, encoding="utf-8")
    proposal = fixture_dict(propose(text, unit_code="XX", slug="xx-doc", source_file="doc.txt"))
    path = tmp_path / "xx-doc.yaml"
    path.write_text(yaml.safe_dump(proposal, allow_unicode=True, sort_keys=False), encoding="utf-8")
    problems = []
    read_document_file(path, sources_dir=tmp_path / "sources", problems=problems)
    assert [str(p) for p in problems] == []

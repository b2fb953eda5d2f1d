"""``manage.py propose_catalogue FILE --unit CODE [--output F.yaml]``: a proposed fixture file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onboarding.extract import UnreadableDocument, extract_text
from onboarding.services import fixture_yaml, propose_for_unit


class Command(BaseCommand):
    help = (
        "从实施意见文本(.txt/.docx/文字版 PDF)提出目录草案，格式同 fixtures/policies/*.yaml / "
        "Propose a catalogue from an opinion's text (.txt, .docx, text PDF) in the fixtures' "
        "format."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="文件 / the document (.txt, .docx, .pdf)")
        parser.add_argument("--unit", required=True, help="单位代码 / the unit's code, e.g. SX")
        parser.add_argument("--slug", help="文件标识 / the document's slug (default CODE-YEAR)")
        parser.add_argument("--output", type=Path, help="写入 YAML 文件 / write the YAML here")

    def handle(
        self, *args, file: Path, unit: str, slug: str | None, output: Path | None, **options
    ) -> None:
        if not file.is_file():
            raise CommandError(f"文件不存在 / no such file: {file}")
        try:
            text = extract_text(file.name, file.read_bytes())
        except UnreadableDocument as error:
            raise CommandError(str(error)) from error
        proposal = propose_for_unit(text, unit.upper(), slug=slug)
        content = fixture_yaml(proposal)
        if output:
            output.write_text(content, encoding="utf-8")
            source = output.parent / proposal["document"]["source_file"]
            source.write_text(text.replace("\r\n", "\n").replace("\r", "\n"), encoding="utf-8")
        else:
            self.stdout.write(content)
        self.stderr.write(self.summary(proposal, output))

    def summary(self, proposal: dict, output: Path | None) -> str:
        targets = sum(len(i["targets"]) for i in proposal["indicators"])
        flagged = [i for i in proposal["indicators"] if i["_flags"]]
        lines = [
            f"章节 sections {len(proposal['sections'])}, 任务 tasks {len(proposal['tasks'])}, "
            f"指标 indicators {len(proposal['indicators'])} (目标 targets {targets}), "
            f"专栏 columns {len(proposal['columns'])}",
            f"需核对 to check: {len(flagged)} indicator(s) flagged; 新单位 new departments: "
            + ("、".join(proposal["_new_departments"]) or "—"),
        ]
        for flag in proposal["document"].get("_flags", []):
            lines.append(f"  文件 document: {flag}")
        if output:
            lines.append(
                f"已写入 written: {output} (及原文 and its text "
                f"{output.parent / proposal['document']['source_file']}); 核对后复制到 "
                "fixtures/policies/ 与 fixtures/sources/，用 load_policies 载入 / check, copy both "
                "into fixtures/ and load with load_policies"
            )
        return "\n".join(lines)

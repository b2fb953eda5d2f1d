"""The review page with personas: who may propose for which unit, confirm that loads, confirm
that fails validation and stores nothing, drop and export."""

import pytest
import yaml
from django.urls import reverse

from provinces.models import PolicyDocument, Province, Role, UnitLevel
from targets.models import Indicator
from tasks.models import Task
from tests.factories import make_province, make_user
from tests.onboarding.test_proposer import CITY

pytestmark = pytest.mark.django_db

START = "/onboarding/"
REVIEW = "/onboarding/review/"


@pytest.fixture
def units():
    return make_province(code="SX", name="山西"), make_province(code="JS", name="江苏")


class Personas:
    """Each persona made when a test first asks for it (hashing passwords is slow)."""

    def __init__(self, sx, js):
        self.makers = {
            "sx_admin": lambda: make_user(role=Role.PROVINCE_ADMIN, province=sx),
            "js_admin": lambda: make_user(role=Role.PROVINCE_ADMIN, province=js),
            "sx_reporter": lambda: make_user(role=Role.REPORTER, province=sx),
            "sx_reviewer": lambda: make_user(role=Role.REVIEWER, province=sx),
            "leader": lambda: make_user(role=Role.LEADER),
            "root": lambda: make_user(is_superuser=True, is_staff=True),
        }
        self.made = {}

    def __getitem__(self, name):
        if name not in self.made:
            self.made[name] = self.makers[name]()
        return self.made[name]


@pytest.fixture
def personas(units):
    return Personas(*units)


def new_city(**extra):
    data = {
        "unit": "",
        "new_code": "DT",
        "new_name": "大同",
        "new_full_name": "大同市",
        "parent": "SX",
        "text": CITY,
    }
    data.update(extra)
    return data


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("sx_admin", 200),
        ("js_admin", 200),
        ("root", 200),
        ("sx_reporter", 404),
        ("sx_reviewer", 404),
        ("leader", 404),
    ],
)
def test_start_and_review_by_persona(client, personas, persona, status):
    client.force_login(personas[persona])
    assert client.get(START).status_code == status
    review = client.get(REVIEW)
    assert review.status_code == (302 if status == 200 else 404)  # no proposal yet → start


def test_anonymous_visitors_are_sent_to_log_in(client):
    for url in (START, REVIEW):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_province_admin_is_offered_its_own_units_only(client, personas):
    client.force_login(personas["sx_admin"])
    page = client.get(START).content.decode()
    assert 'value="SX"' in page and 'value="JS"' not in page
    # choosing another province, or a city under it, is refused and proposes nothing
    for data in ({"unit": "JS", "text": CITY}, new_city(parent="JS")):
        response = client.post(START, data)
        assert response.status_code == 200 and "onboarding" not in client.session


def test_propose_review_and_confirm_a_new_city(client, personas):
    client.force_login(personas["sx_admin"])
    response = client.post(START, new_city())
    assert response.status_code == 302 and response["Location"] == REVIEW
    page = client.get(REVIEW).content.decode()
    assert '<mark class="q-target" data-item="indicator-' in page
    assert "其中县级60项以上</mark>" in page
    assert "市财政局 (配合) <strong>" in page  # a unit not known yet is marked new
    response = client.post(REVIEW, {"action": "confirm"})
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboards:province", args=["DT"])
    city = Province.objects.get(code="DT")
    assert (city.level, city.parent.code, city.full_name) == (UnitLevel.CITY, "SX", "大同市")
    document = PolicyDocument.objects.get(province=city)
    assert document.slug == "dt-2023" and document.source_text.startswith("大同市人民政府")
    assert Task.objects.filter(document=document).count() == 3
    assert Indicator.objects.filter(document=document).count() >= 7
    # the new unit's pages work at once
    assert client.get("/provinces/DT/").status_code == 200
    assert client.get(f"/documents/{document.slug}/").status_code == 200
    overview = client.get("/")
    assert overview.status_code == 200 and "大同" in overview.content.decode()
    compare = client.get("/compare/?category=public-measurement-standards")
    assert compare.status_code == 200


def test_a_confirm_that_fails_validation_stores_nothing(client, personas):
    client.force_login(personas["sx_admin"])
    client.post(START, new_city())
    catalogue = client.get(REVIEW).context["catalogue"]
    broken = catalogue.replace(
        "quote: 全市社会公用计量标准达到150项以上", "quote: 全市社会公用计量标准达到999项以上", 1
    )
    assert broken != catalogue
    before = (Province.objects.count(), PolicyDocument.objects.count(), Indicator.objects.count())
    response = client.post(REVIEW, {"action": "confirm", "catalogue": broken})
    assert response.status_code == 400
    body = response.content.decode()
    assert "未写入任何数据" in body and "not an exact substring" in body
    after = (Province.objects.count(), PolicyDocument.objects.count(), Indicator.objects.count())
    assert after == before and not Province.objects.filter(code="DT").exists()
    assert "全市社会公用计量标准达到999项以上" in body  # the edit is kept for correction


def test_broken_yaml_is_a_message_not_an_error_page(client, personas):
    client.force_login(personas["sx_admin"])
    client.post(START, new_city())
    response = client.post(REVIEW, {"action": "confirm", "catalogue": "document: [unclosed"})
    assert response.status_code == 400 and "YAML" in response.content.decode()
    assert not Province.objects.filter(code="DT").exists()


def test_dropped_items_are_left_out_of_the_load_and_of_the_export(client, personas):
    client.force_login(personas["root"])
    client.post(START, new_city())
    proposal = client.session["onboarding"]["proposal"]
    dropped = next(i for i in proposal["indicators"] if i["name"] == "县级社会公用计量标准")
    task = proposal["tasks"][2]
    form = {"drop_indicator": dropped["code"], "drop_task": f"{task['section']}|{task['number']}"}
    export = client.post(REVIEW, {"action": "export", **form})
    assert export.status_code == 200
    assert export["Content-Disposition"] == 'attachment; filename="dt-2023.yaml"'
    data = yaml.safe_load(export.content.decode())
    assert dropped["code"] not in {i["code"] for i in data["indicators"]}
    assert len(data["tasks"]) == 2
    assert not any(k.startswith("_") for k in data["document"])
    assert "signed_on: 2023-04-06\n" in export.content.decode()
    response = client.post(REVIEW, {"action": "confirm", **form})
    assert response.status_code == 302
    document = PolicyDocument.objects.get(slug="dt-2023")
    assert not Indicator.objects.filter(document=document, name="县级社会公用计量标准").exists()
    assert Task.objects.filter(document=document).count() == 2


def test_an_existing_unit_gets_its_document_and_upload_of_a_text_file(client, personas):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(personas["sx_admin"])
    upload = SimpleUploadedFile("opinion.txt", CITY.encode("gb18030"), content_type="text/plain")
    response = client.post(START, {"unit": "SX", "slug": "sx-city-test", "upload": upload})
    assert response.status_code == 302
    assert client.post(REVIEW, {"action": "confirm"}).status_code == 302
    assert PolicyDocument.objects.get(slug="sx-city-test").province.code == "SX"


def test_an_unreadable_upload_is_refused_with_a_message(client, personas):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(personas["sx_admin"])
    upload = SimpleUploadedFile(
        "opinion.pdf", b"%PDF-1.4 not really", content_type="application/pdf"
    )
    response = client.post(START, {"unit": "SX", "upload": upload})
    assert response.status_code == 200
    assert "PDF" in response.content.decode() and "onboarding" not in client.session


def test_the_cities_of_one_province_compare_among_themselves(client, personas):
    client.force_login(personas["root"])
    client.post(START, {"unit": "SX", "slug": "sx-own", "text": CITY.replace("大同市", "山西省")})
    assert client.post(REVIEW, {"action": "confirm"}).status_code == 302
    client.post(START, new_city())
    assert client.post(REVIEW, {"action": "confirm"}).status_code == 302
    url = "/compare/?category=public-measurement-standards"
    both = client.get(url).content.decode()
    row = '<td><a href="/provinces/{}/">{}</a></td>'
    assert row.format("DT", "大同") in both and row.format("SX", "山西") in both
    cities = client.get(url + "&level=city&parent=SX")
    assert cities.status_code == 200
    page = cities.content.decode()
    assert row.format("DT", "大同") in page and row.format("SX", "山西") not in page
    # the filter form keeps the narrowing when another category is chosen
    assert '<input type="hidden" name="level" value="city">' in page
    assert '<input type="hidden" name="parent" value="SX">' in page
    assert client.get(url + "&level=town").status_code == 400


def test_after_confirming_the_targets_have_a_status_and_the_city_can_report(
    client, personas, django_capture_on_commit_callbacks
):
    import datetime as dt

    from provinces import access
    from targets.models import ProgressResult, ProgressRun
    from targets.services import progress_report_create

    client.force_login(personas["sx_admin"])
    client.post(START, new_city())
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(REVIEW, {"action": "confirm"}).status_code == 302
    document = PolicyDocument.objects.get(slug="dt-2023")
    run = ProgressRun.objects.get()
    assert run.status == ProgressRun.Status.DONE
    targets = Indicator.objects.filter(document=document).values_list("targets", flat=True)
    assert ProgressResult.objects.filter(target__in=targets).count() == len(targets)
    # the city's own reporter enters progress for the new targets at once
    city = Province.objects.get(code="DT")
    reporter = make_user(role=Role.REPORTER, province=city)
    indicator = Indicator.objects.get(document=document, name="社会公用计量标准")
    assert access.can_enter(reporter, city.pk) and access.can_enter(personas["sx_admin"], city.pk)
    report = progress_report_create(
        indicator=indicator, as_of=dt.date(2024, 12, 31), value=130, reporter=reporter, submit=True
    )
    assert report.review_status == "submitted"
    assert client.get(f"/indicators/{indicator.pk}/").status_code == 200


def test_the_review_page_in_english(client, personas):
    from tests.clients import get_in

    client.force_login(personas["sx_admin"])
    client.post(START, new_city())
    page = get_in(client, REVIEW, "en").content.decode()
    assert "Review the proposed catalogue" in page and "Confirm and load" in page
    assert "sub-target of the clause before" in page and "分项目标" not in page
    assert "市财政局 (Support) <strong>new unit</strong>" in page
    start = get_in(client, START, "en").content.decode()
    assert "Propose the catalogue" in start and "提出目录" not in start


@pytest.mark.parametrize(
    "catalogue",
    [
        "- just\n- a list\n",
        "document: [1, 2]\n",
        "document: {slug: x}\ntasks: nope\nindicators: [1]\n",
    ],
)
def test_yaml_that_is_not_a_catalogue_is_refused_with_a_message(client, personas, catalogue):
    client.force_login(personas["sx_admin"])
    client.post(START, new_city())
    response = client.post(REVIEW, {"action": "confirm", "catalogue": catalogue})
    assert response.status_code == 400
    assert "未写入任何数据" in response.content.decode()
    assert not Province.objects.filter(code="DT").exists()

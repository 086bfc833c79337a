"""Counter reception for officers: the reception form with its checklist and suggestions, and the
legal limit an officer enters where the record has none (split from ``views``)."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from motcua.accounts import permissions
from motcua.accounts.constants import Capability
from motcua.accounts.models import User
from motcua.accounts.validators import (
    normalise_digits,
    normalise_phone,
    validate_personal_id_number,
    validate_phone,
)
from motcua.catalog.constants import TimeUnit
from motcua.catalog.legal_limits import (
    ENTERABLE_UNITS,
    LimitInput,
    legal_limit_current,
    legal_limit_record,
    procedure_has_record_limit,
)
from motcua.catalog.models import Procedure, ProcedureCase, Requirement
from motcua.catalog.presentation import money_text, time_limit_text
from motcua.catalog.requirements import counter_checklist
from motcua.catalog.search import Filters
from motcua.catalog.selectors import (
    NoReceivingCompetence,
    filters_for_unit,
    procedure_by_code,
    procedure_search,
    receiving_competence_check,
)
from motcua.common.clock import now, today
from motcua.common.errors import DomainError
from motcua.common.numbers import small_int
from motcua.organizations.models import Unit

from . import extensions, services
from .constants import ApplicantKind, Channel
from .models import Dossier
from .reception_token import ReceptionToken, token_new, token_nonce, token_used
from .views import officer


@login_required
def reception(request: HttpRequest) -> HttpResponse:
    """Counter reception of a paper dossier: procedure, case, applicant → received with a code."""
    user = officer(request)
    units = Unit.objects.filter(
        pk__in=permissions.unit_ids_with(user, Capability.RECEIVE_DOSSIER)
    ).order_by("name")
    if not units:
        raise PermissionDenied(_("Bạn không có vai trò tiếp nhận hồ sơ ở đơn vị nào."))
    form: dict[str, str] = {
        k: request.POST.get(k, request.GET.get(k, ""))
        for k in ("procedure", "case", "unit", "name", "id_number", "phone", "birth_date",
                  "address", "registry_id_number", "limit_quantity",
                  "limit_unit", "limit_basis", "limit_city_wide")
    }  # fmt: skip
    procedure = (
        Procedure.objects.filter(code=form["procedure"].strip())
        .order_by("-in_hanoi_set", "pk")
        .first()
        if form["procedure"]
        else None
    )
    # Said when the procedure is chosen, not after the whole form is typed (issue 13's QA pass).
    error = competence_refusal(procedure, units)
    if error:
        procedure = None
    groups = counter_checklist(procedure) if procedure else []
    offers = counter_offers(groups, form["id_number"])
    person = registry_prefill(form, user) if "lookup" in request.POST else None
    token = request.POST.get("form_token", "")
    if request.method == "POST" and "lookup" not in request.POST and not error:
        reused = reuse_taken(offers, request.POST)
        try:
            nonce = token_nonce(token, user.pk)
            done = token_used(nonce)
            if done is None:
                dossier = receive_once(
                    nonce, user, form, procedure, units, request.POST.getlist("checked"), reused
                )
        except DomainError as failure:
            error = str(failure.message)
        else:
            if done is not None:
                messages.info(request, _("Hồ sơ này đã được tiếp nhận; không cấp mã mới."))
                return redirect("dossiers:detail", ref=done)
            messages.success(request, _("Đã tiếp nhận hồ sơ %(code)s.") % {"code": dossier.code})
            return redirect("dossiers:detail", ref=dossier.ref)
    return render(
        request,
        "dossiers/reception.html",
        {"units": units, "form": form, "procedure": procedure, "cases": case_options(procedure),
         "groups": [(g, [(item, offers.get(item.pk)) for item in documents], notes)
                    for g, documents, notes in groups],
         "offers": offers, "looked_up": "lookup" in request.POST, "person": person,
         "person_fields": extensions.PERSON_FIELDS,
         "consent": request.POST.get("reuse_consent") == "yes",
         "limit": counter_limit(procedure, units, form), "limit_units": limit_unit_choices(),
         "fees": [(fee, money_text(fee.amount_vnd)) for channel in procedure.channels.filter(method="direct").prefetch_related("fees") for fee in channel.fees.all()] if procedure else [],
         "error": error, "form_token": token_for_page(token, user.pk)},
    )  # fmt: skip


def competence_refusal(procedure: Procedure | None, units: Any) -> str:
    """Why none of the officer's reception units may receive this procedure, or ""."""
    if procedure is None:
        return ""
    day, reasons = today(), []
    for unit in units:
        try:
            receiving_competence_check(procedure, unit, day)
        except NoReceivingCompetence as refused:
            reasons.append(str(refused.message))
        else:
            return ""
    return reasons[0] if reasons else ""


def token_for_page(token: str, user_id: int) -> str:
    """The token the page's form carries next: the same one while it is valid and unused (a
    refused reception rolled its use back), else a new one, so that a form refused as expired
    can be sent again at once, with what was typed, instead of being retyped after a reload."""
    try:
        nonce = token_nonce(token, user_id)
    except DomainError:
        return token_new(user_id)
    return token_new(user_id) if token_used(nonce) is not None else token


def receive_once(nonce: str, user: User, *args: Any) -> Any:
    """Receive at the counter, at most once per form token: a second POST of the same form
    (a double click) waits for the first and leads to the dossier it received."""
    with transaction.atomic():
        if not token_claimed(nonce, user):
            ref = token_used(nonce)
            if ref is None:
                raise DomainError(_("Biểu mẫu này đang được xử lý; hãy tải lại trang."))
            return Dossier.objects.get(ref=ref)
        dossier = receive_at_counter(user, *args)
        ReceptionToken.objects.filter(nonce=nonce).update(dossier_ref=dossier.ref)
        return dossier


def token_claimed(nonce: str, user: User) -> bool:
    """Claim the token for this reception. Only the token's own unique key is read as "already
    sent": any other integrity error of the reception is a fault to see, not a double click."""
    try:
        with transaction.atomic():
            ReceptionToken.objects.create(nonce=nonce, user=user, used_at=now())
    except IntegrityError:
        return False
    return True


@login_required
def legal_limit(request: HttpRequest, code: str) -> HttpResponse:
    """Enter the legal limit of a procedure whose record gives none, outside counter reception
    (an online dossier waiting to be received): stored and audited like the counter's entry."""
    user = officer(request)
    units = list(
        Unit.objects.filter(
            pk__in=permissions.unit_ids_with(user, Capability.RECEIVE_DOSSIER)
        ).order_by("name")
    )
    if not units:
        raise PermissionDenied(_("Bạn không có vai trò tiếp nhận hồ sơ ở đơn vị nào."))
    procedure = procedure_by_code(code)
    if procedure is None:
        raise Http404(_("Không có thủ tục mã %(code)s.") % {"code": code})
    form = {k: request.POST.get(k, "") for k in (*LIMIT_FIELDS, "unit")}
    back = request.POST.get("next", request.GET.get("next", ""))
    safe = url_has_allowed_host_and_scheme(back, {request.get_host()}) and back.startswith("/")
    error = ""
    if request.method == "POST" and not procedure_has_record_limit(procedure):
        unit = next((u for u in units if u.code == form["unit"]), units[0])
        given = LimitInput(
            form["limit_quantity"], form["limit_unit"], form["limit_basis"],
            city_wide=form["limit_city_wide"] == "on",
        )  # fmt: skip
        try:
            legal_limit_record(procedure=procedure, unit=unit, given=given, actor=user, at=now())
        except DomainError as failure:
            error = str(failure.message)
        else:
            messages.success(request, _("Đã lưu thời hạn giải quyết theo quy định."))
            if safe:
                return redirect(back)
            return redirect("dossiers:legal-limit", code=code)
    return render(
        request, "dossiers/legal_limit.html",
        {"procedure": procedure, "units": units, "form": form, "error": error,
         "next": back if safe else "", "limit": counter_limit(procedure, units, form),
         "limit_units": limit_unit_choices()},
    )  # fmt: skip


LIMIT_FIELDS = ("limit_quantity", "limit_unit", "limit_basis", "limit_city_wide")


def limit_unit_choices() -> list[tuple[str, str]]:
    return [(unit.value, str(unit.label)) for unit in TimeUnit if unit in ENTERABLE_UNITS]


def counter_limit(procedure: Procedure | None, units: Any, form: dict[str, str]) -> dict[str, Any]:
    """What the counter says about the time limit: the record's, the one an officer entered
    (this unit's, else the city's), or that it must be asked for (decision 0024)."""
    if procedure is None:
        return {"state": ""}
    if procedure_has_record_limit(procedure):
        cases = [c for c in procedure.cases.all() if c.time_unit != TimeUnit.UNKNOWN]
        if cases:
            shown = sorted({time_limit_text(c.time_quantity, c.time_unit) for c in cases})
            return {"state": "record", "text": "; ".join(shown), "note": ""}
        text = time_limit_text(procedure.time_quantity, procedure.time_unit)
        return {"state": "record", "text": text, "note": procedure.time_note}
    unit = next((u for u in units if u.code == form.get("unit")), units[0])
    row = legal_limit_current(procedure.pk, (unit.pk,))
    if row is None:
        return {"state": "ask"}
    return {"state": "legal", "row": row, "text": time_limit_text(row.time_quantity, row.time_unit)}


def case_options(procedure: Procedure | None) -> list[tuple[str, str]]:
    """(code, label): the case's name, else its time limit, so the officer can tell cases apart."""
    if procedure is None:
        return []
    options = []
    for case in procedure.cases.all():
        limit = time_limit_text(case.time_quantity, case.time_unit)
        label = case.name or (_("Thời hạn %(limit)s") % {"limit": limit} if limit else "")
        options.append((case.code, f"{case.code} — {label}" if label else case.code))
    return options


@login_required
def reception_suggest(request: HttpRequest) -> HttpResponse:
    """Procedures matching what the officer types, for the units where they receive."""
    user = officer(request)
    units = list(
        Unit.objects.filter(pk__in=permissions.unit_ids_with(user, Capability.RECEIVE_DOSSIER))
    )
    # What this counter may receive: a ward's counter also takes its police's procedures.
    filters = filters_for_unit(units[0], with_commune_police=True) if len(units) == 1 else Filters()
    query = request.GET.get("q", "")[:100]
    page = procedure_search(query=query, filters=filters, page_size=8) if query.strip() else None
    return render(request, "dossiers/_suggestions.html", {"page": page, "query": query})


def counter_offers(groups: list[Any], typed_id: str) -> dict[int, extensions.StoredOffer]:
    """What the applicant's data store already holds for the checklist, by the ID number typed
    (the applicant stands at the counter with their papers)."""
    id_number = normalise_digits(typed_id)
    try:
        validate_personal_id_number(id_number)
    except ValidationError:
        return {}
    documents = [item for _group, items, _notes in groups for item in items]
    return extensions.DATA.offers(ApplicantKind.PERSON, id_number, documents, None, today())


def registry_prefill(form: dict[str, str], user: User) -> extensions.RegistryAnswer | None:
    """The population registry's record of the ID number typed: fills what the officer left
    empty, and says what was typed otherwise (the officer checks the papers, DOMAIN.md §8)."""
    id_number = normalise_digits(form["id_number"])
    try:
        validate_personal_id_number(id_number)
    except ValidationError:
        return None
    answer = extensions.DATA.registry(id_number, dict(form), user, now())
    if answer is not None and answer.found:
        answer = with_vietnamese_days(answer)
        for field in ("name", "birth_date", "address"):
            if not form[field].strip():
                form[field] = answer.held.get(field, "")
    return answer


def with_vietnamese_days(answer: extensions.RegistryAnswer) -> extensions.RegistryAnswer:
    """The registry writes dates yyyy-mm-dd; the counter's field and the officer read
    dd/mm/yyyy (the form's hint says so)."""
    held = {**answer.held, "birth_date": vietnamese_day(answer.held.get("birth_date", ""))}
    differing = [
        (field, typed, vietnamese_day(value) if field == "birth_date" else value)
        for field, typed, value in answer.mismatches
    ]
    return dataclasses.replace(answer, held=held, mismatches=differing)


def vietnamese_day(day: str) -> str:
    parts = day.strip().split("-")
    if len(parts) == 3 and len(parts[0]) == 4 and all(small_int(p) is not None for p in parts):
        return f"{int(parts[2]):02d}/{int(parts[1]):02d}/{parts[0]}"
    return day


OLDEST_BIRTH_YEAR = 1900


def birth_date_check(typed: str) -> None:
    """The birth date is only compared with the registry, but a date that does not exist
    (31/02) is said, not dropped without a word."""
    if not typed.strip():
        return
    try:
        born = datetime.datetime.strptime(typed.strip(), "%d/%m/%Y").date()
    except ValueError:
        born = None
    if born is None or not born.year >= OLDEST_BIRTH_YEAR or born > today():
        raise DomainError(
            _("Ngày sinh không hợp lệ: ghi ngày/tháng/năm có thật, ví dụ 02/09/1990.")
        )


def reuse_taken(
    offers: dict[int, extensions.StoredOffer], post: Any
) -> list[extensions.StoredOffer]:
    """The offered components the officer takes from the store, once the applicant agreed."""
    if post.get("reuse_consent") != "yes":
        return []
    chosen = {small_int(pk) for pk in post.getlist("reuse")} - {None}
    return [offer for pk, offer in offers.items() if pk in chosen]


def receive_at_counter(
    user: User,
    form: dict[str, str],
    procedure: Procedure | None,
    units: Any,
    checked_ids: list[str],
    reused: list[extensions.StoredOffer] | None = None,
) -> Any:
    if procedure is None:
        raise DomainError(_("Chọn thủ tục (nhập mã thủ tục, ví dụ 1.004222)."))
    unit = next((u for u in units if u.code == form["unit"]), units[0] if len(units) == 1 else None)
    if unit is None:
        raise DomainError(_("Chọn đơn vị tiếp nhận."))
    receiving_competence_check(procedure, unit, today())
    case = (
        ProcedureCase.objects.filter(procedure=procedure, code=form["case"]).first()
        if form["case"]
        else None
    )
    id_number = normalise_digits(form["id_number"])
    if id_number:
        try:
            validate_personal_id_number(id_number)
        except ValidationError as invalid:
            raise DomainError(" ".join(invalid.messages)) from invalid
    phone = normalise_phone(form["phone"])
    if phone:
        try:
            validate_phone(phone)
        except ValidationError as invalid:
            raise DomainError(" ".join(invalid.messages)) from invalid
    birth_date_check(form["birth_date"])
    applicant = services.Applicant(
        name=form["name"], id_number=id_number, phone=phone, address=form["address"].strip()[:300]
    )
    at = now()
    with (
        transaction.atomic()
    ):  # received at the counter: submitted and received together, or neither
        if form["limit_quantity"].strip() or form["limit_unit"] == TimeUnit.SAME_DAY:
            if procedure_has_record_limit(procedure):
                raise DomainError(_("Thủ tục này đã có thời hạn trong hồ sơ quốc gia."))
            given = LimitInput(
                form["limit_quantity"], form["limit_unit"], form["limit_basis"],
                city_wide=form["limit_city_wide"] == "on",
            )  # fmt: skip
            legal_limit_record(procedure=procedure, unit=unit, given=given, actor=user, at=at)
        checked = [pk for pk in map(small_int, checked_ids) if pk is not None]
        names = list(
            Requirement.objects.filter(group__procedure=procedure, pk__in=checked)
            .order_by("group__order", "order")
            .values_list("name", flat=True)
        )
        dossier = services.dossier_submit(
            checklist=names,
            procedure=procedure,
            receiving_unit=unit,
            applicant=applicant,
            channel=Channel.COUNTER,
            at=at,
            actor=user,
            case=case,
        )
        dossier = services.dossier_receive(dossier=dossier, actor=user, at=at)
        if reused:
            extensions.DATA.reuse(dossier, reused, user, "counter", at)
        if id_number and normalise_digits(form.get("registry_id_number", "")) == id_number:
            # Received from a form the registry prefilled: the 766 flag ``population_data``.
            extensions.DATA.registry_used(dossier, id_number, user, "counter", at, [])
        return dossier

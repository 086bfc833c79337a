"""Online submission (nộp hồ sơ trực tuyến): a draft filled step by step, then one dossier.

Steps: where and which situation → the e-form → the documents → review and submit. Every step
saves the draft, so an applicant can stop and resume. Submitting locks the draft row: the first
request creates the dossier, a repeated one (double click, retry after a lost answer) gets the
same dossier back.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.catalog import eform_answers as eform
from motcua.catalog.constants import CompetenceLevel
from motcua.catalog.models import Procedure, Requirement, RequirementGroup
from motcua.catalog.requirements import document_name, is_note
from motcua.catalog.selectors import online_submission_open, receiving_units_of
from motcua.common import clock
from motcua.common.errors import DomainError
from motcua.common.files import checked_upload
from motcua.common.text import fold_words, whole_words
from motcua.dossiers import services as dossier_services
from motcua.dossiers.constants import ApplicantKind, Channel
from motcua.dossiers.extensions import StoredOffer
from motcua.dossiers.models import Dossier, DossierDocument
from motcua.organizations.models import Unit

from . import population, stored
from .models import Draft, DraftDocument

MAX_FILES_PER_ITEM = 5
# Group names that hold documents for everyone (or notes), as opposed to one situation's documents.
GENERAL_GROUP = re.compile(r"^(giấy tờ|thành phần|hồ sơ|lưu ý|ghi chú|$)", re.IGNORECASE)
PRESENT_GROUP = re.compile(r"xuất trình", re.IGNORECASE)
# A paper asked only in some cases: said at the start ("Trường hợp…", "Đối với…", "Nếu…") or
# further on ("… đối với trường hợp người chết đã lâu, không có Giấy báo tử").
CONDITIONAL = re.compile(
    r"^[-+*•\s]*(trường hợp|đối với|nếu)|\(nếu có\)|\b(trong|đối với|với) trường hợp\b",
    re.IGNORECASE,
)
DECLARATION = re.compile(r"tờ khai|mẫu .*điện tử|biểu mẫu|đơn đề nghị|giấy đề nghị", re.IGNORECASE)


ANYWHERE = re.compile(r"không phụ thuộc (vào )?địa giới", re.IGNORECASE)
NO_SITUATION = "none"  # "none of these": only the documents asked of everyone apply
HOW_ORDER = ["upload", "optional", "present", "eform", "registry"]


class NotOnline(DomainError):
    pass


# ------------------------------------------------------------------------- what may be submitted
def receiving_units(procedure: Procedure, day: datetime.date) -> QuerySet[Unit]:
    """Where the dossier may be sent (``catalog.selectors.receiving_units_of``)."""
    return receiving_units_of(procedure, day)


def situations(procedure: Procedure) -> list[RequirementGroup]:
    """Requirement groups that describe alternative situations ("thuê, mượn, ở nhờ"…)."""
    return [
        group
        for group in procedure.requirement_groups.all()
        if not GENERAL_GROUP.match(group.name.strip())
    ]


# ------------------------------------------------------------------------- documents to upload
@dataclass
class Item:
    """One document of the checklist, as the online applicant meets it."""

    requirement: Requirement
    how: str  # upload, optional, eform, registry, present
    files: list[DraftDocument] = field(default_factory=list)
    stored: StoredOffer | None = None  # the data store holds it (``stored``)

    @property
    def required(self) -> bool:
        return self.how == "upload"

    @property
    def label(self) -> str:
        return short_name(self.requirement.name)


@dataclass
class Checklist:
    items: list[Item]
    notes: list[Requirement]
    consent: bool = False  # the applicant agreed to the store's documents standing in

    @property
    def offered(self) -> list[Item]:
        return [i for i in self.items if i.stored is not None]

    @property
    def uploads(self) -> list[Item]:
        # A registry item too: the agency fetches it when it can, and a copy the applicant has
        # spares the wait when it cannot (e.g. a death notice not yet in the e-registry).
        return [i for i in self.items if i.how in ("upload", "optional", "present", "registry")]

    @property
    def missing(self) -> list[Item]:
        covered = self.consent
        return [i for i in self.items if i.required and not i.files and not (covered and i.stored)]


def classify(requirement: Requirement, group: RequirementGroup) -> str | None:
    """How an online applicant provides a document; None for notes that are not documents."""
    if is_note(requirement, group):
        return None
    if requirement.replaceable_by_registry:
        return "registry"
    if requirement.has_eform or DECLARATION.search(requirement.name[:120]):
        return "eform"
    if PRESENT_GROUP.search(group.name):
        return "present"  # shown at the counter on receiving the result; a scan may be uploaded
    if CONDITIONAL.search(requirement.name[:160]):
        return "optional"
    return "upload"


def checklist_for(draft: Draft) -> Checklist:
    chosen = draft.situation_id
    groups = [
        g
        for g in draft.procedure.requirement_groups.prefetch_related("items")
        if GENERAL_GROUP.match(g.name.strip())
        or g.pk == chosen
        or (chosen is None and not draft.no_situation)
    ]
    files: dict[int | None, list[DraftDocument]] = {}
    # A page shown before any draft exists (not signed in yet) lists the documents, no files.
    for document in draft.documents.all() if draft.pk else []:
        files.setdefault(document.requirement_id, []).append(document)
    items, notes = [], []
    for group in groups:
        for requirement in group.items.all():
            if requirement.is_result:
                continue
            how = classify(requirement, group)
            if how is None:
                notes.append(requirement)
            else:
                items.append(Item(requirement, how, files.get(requirement.pk, [])))
    # What must be uploaded first, what is already covered last.
    items.sort(key=lambda item: HOW_ORDER.index(item.how))
    stored.offers_fill(draft, items)
    return Checklist(items, notes, consent=draft.reuse_consent)


def what_to_bring(dossier: Dossier) -> list[str]:
    """Partly-online procedures: the originals to show when the result is collected."""
    names = []
    for group in dossier.procedure.requirement_groups.prefetch_related("items"):
        for requirement in group.items.all():
            how = classify(requirement, group)
            if how in ("present", "upload") and requirement.originals:
                names.append(document_name(requirement.name))
    return names


# ------------------------------------------------------------------------- the draft
# The fourth digit of a personal ID number codes sex and century of birth: even for men, odd for
# women (0/1: born 1900-1999, 2/3: 2000-2099…).
SEX_DIGIT = 3
# Forms that name a child's mother and father and ask the applicant's relation to the child
# (birth registration): an applicant who is a parent is, in most dossiers, the one registering.
PARENT_BLOCK = {"Nữ": ("me", "Mẹ"), "Nam": ("cha", "Cha")}


def sex_of(id_number: str) -> str | None:
    """ "Nam" or "Nữ" as the 12-digit personal ID number says, else None."""
    if len(id_number) != 12 or not id_number.isascii() or not id_number.isdigit():
        return None
    return "Nam" if int(id_number[SEX_DIGIT]) % 2 == 0 else "Nữ"


def profile_answer(user: User, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    """Everything the account knows, placed where the e-form asks it (once-only: never typed
    twice): the applicant's block, and the parent's block when the applicant is that parent."""
    properties = (schema or {}).get("properties", {"nguoi_yeu_cau": {}})
    citizen = getattr(user, "citizen_profile", None)
    answer: dict[str, Any] = {}
    if "nguoi_yeu_cau" in properties:
        residence = citizen.residence_unit.name if citizen and citizen.residence_unit_id else ""
        block = {
            "ho_ten": user.full_name,
            "so_dinh_danh": citizen.id_number if citizen else "",
            "so_dien_thoai": user.phone,
            "email": user.email,
            "noi_cu_tru": (citizen.address if citizen else "") or residence,
        }
        answer["nguoi_yeu_cau"] = {k: v for k, v in block.items() if v}
    if citizen is not None:
        answer |= parent_answer(user, citizen, properties)
    return answer


def parent_answer(user: User, citizen: Any, properties: dict[str, Any]) -> dict[str, Any]:
    relation = next((key for key in properties if key.startswith("quan_he_voi_")), None)
    sex = sex_of(citizen.id_number)
    if relation is None or sex is None or not {"me", "cha"} <= properties.keys():
        return {}
    block, word = PARENT_BLOCK[sex]
    known = {
        "ho_ten": user.full_name,
        "so_dinh_danh": citizen.id_number,
        "ngay_sinh": citizen.date_of_birth.isoformat() if citizen.date_of_birth else "",
    }
    asked = properties[block].get("properties", {})
    return {block: {k: v for k, v in known.items() if v and k in asked}, relation: word}


def merged(base: dict[str, Any], typed: dict[str, Any]) -> dict[str, Any]:
    """``typed`` over ``base``, block by block: what a person typed wins over what was prefilled."""
    result = dict(base)
    for key, value in typed.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = {**result[key], **value}
        else:
            result[key] = value
    return result


def home_unit(user: User, procedure: Procedure, day: datetime.date) -> Unit | None:
    """The account's ward or commune, when it receives the procedure: the likely choice. Without
    one recorded, the one its address names ("12 Hàng Bạc, phường Hoàn Kiếm"), if only one."""
    citizen = getattr(user, "citizen_profile", None)
    if citizen is None:
        return None
    units = receiving_units(procedure, day)
    if citizen.residence_unit_id is not None:
        return units.filter(pk=citizen.residence_unit_id).first()
    return unit_named_in(citizen.address, list(units))


def unit_named_in(address: str, units: list[Unit]) -> Unit | None:
    folded = f" {fold_words(address or '')} "
    if not folded.strip():
        return None
    named = [unit for unit in units if f" {fold_words(unit.name)} " in folded]
    return named[0] if len(named) == 1 else None


def draft_start(*, user: User, procedure: Procedure) -> Draft:
    """The applicant's unfinished draft of this procedure, or a new one."""
    if not online_submission_open(procedure):
        raise NotOnline(
            _(
                "Thủ tục này chưa nộp trực tuyến được; hãy nộp tại nơi tiếp nhận ghi trên trang thủ tục."
            )
        )
    existing = Draft.objects.filter(owner=user, procedure=procedure, dossier__isnull=True).first()
    if existing is not None:
        return existing
    cases = list(procedure.cases.all())
    only_unit = list(receiving_units(procedure, clock.today())[:2])
    schema = schema_of(procedure)
    held = population.record_of(user)
    return Draft.objects.create(
        owner=user,
        procedure=procedure,
        case=cases[0] if cases else None,
        receiving_unit=only_unit[0]
        if len(only_unit) == 1
        else home_unit(user, procedure, clock.today()),
        eform_data=population.answer_with(profile_answer(user, schema), schema, held),
        registry_prefilled_at=clock.now() if held else None,
        registry_prefill=population.applicant_values(schema, held) if held else {},
    )


def schema_of(procedure: Procedure) -> dict[str, Any]:
    """The procedure's e-form, without the generic "your situation" question: the situation is
    chosen in the first step, from the same national groups."""
    schema = dict(procedure.eform_schema or {"type": "object", "properties": {}})
    if "truong_hop" in schema.get("properties", {}):
        schema["properties"] = {k: v for k, v in schema["properties"].items() if k != "truong_hop"}
        schema["required"] = [k for k in schema.get("required", []) if k != "truong_hop"]
    return schema


def draft_choose(
    *, draft: Draft, unit_code: str, case_code: str, situation_id: str, day: datetime.date
) -> Draft:
    """Where to send the dossier, and which case and situation apply."""
    unit = receiving_units(draft.procedure, day).filter(code=unit_code).first()
    if unit is None:
        raise DomainError(_("Hãy chọn nơi tiếp nhận hồ sơ trong danh sách."))
    draft.receiving_unit = unit
    if case_code:
        case = draft.procedure.cases.filter(code=case_code).first()
        if case is None:
            raise DomainError(_("Hãy chọn trường hợp trong danh sách."))
        draft.case = case
    options = situations(draft.procedure)
    if len(options) > 1:
        chosen = next((g for g in options if str(g.pk) == situation_id), None)
        if chosen is None and situation_id != NO_SITUATION:
            raise DomainError(_("Hãy chọn trường hợp của bạn để biết cần những giấy tờ nào."))
        draft.situation = chosen
        draft.no_situation = chosen is None
    draft.save(update_fields=["receiving_unit", "case", "situation", "no_situation", "updated_at"])
    return draft


def draft_save_answer(*, draft: Draft, post: Any) -> dict[str, str]:
    """Keep what was typed (even with errors: nothing typed is lost) and report the errors."""
    schema = schema_of(draft.procedure)
    answer = eform.parse(schema, post)
    errors = eform.validate(schema, answer)
    draft.eform_data = answer
    draft.eform_valid = not errors
    draft.save(update_fields=["eform_data", "eform_valid", "updated_at"])
    return errors


def draft_fill(*, draft: Draft, post: Any, files: Any, at: datetime.datetime) -> dict[str, str]:
    """The one-page submission: where, which case and situation, the answers and the files, all
    kept whatever is wrong (nothing chosen or typed is lost). The errors by name: "unit",
    "case", "situation", "file-<requirement>", or the e-form's dotted paths."""
    errors = draft_choose_given(draft=draft, post=post, day=clock.today())
    errors |= draft_save_answer(draft=draft, post=post)
    stored.consent_take(draft, post)
    for item in checklist_for(draft).uploads:
        name = f"file-{item.requirement.pk}"
        for upload in files.getlist(name):
            try:
                draft_attach(draft=draft, requirement_id=item.requirement.pk, upload=upload, at=at)
            except DomainError as refused:
                errors[name] = str(refused.message)
    return errors


def draft_choose_given(*, draft: Draft, post: Any, day: datetime.date) -> dict[str, str]:
    """What the page's choices say, where they were given; nothing given keeps the draft's."""
    errors: dict[str, str] = {}
    unit_code = str(post.get("unit", "") or "")
    if unit_code:
        unit = receiving_units(draft.procedure, day).filter(code=unit_code).first()
        if unit is None:
            errors["unit"] = _("Hãy chọn nơi tiếp nhận hồ sơ trong danh sách.")
        else:
            draft.receiving_unit = unit
    case_code = str(post.get("case", "") or "")
    if case_code:
        case = draft.procedure.cases.filter(code=case_code).first()
        if case is None:
            errors["case"] = _("Hãy chọn trường hợp trong danh sách.")
        else:
            draft.case = case
    situation_id = str(post.get("situation", "") or "")
    options = situations(draft.procedure)
    if situation_id and len(options) > 1:
        chosen = next((g for g in options if str(g.pk) == situation_id), None)
        if chosen is None and situation_id != NO_SITUATION:
            errors["situation"] = _("Hãy chọn trường hợp của bạn để biết cần những giấy tờ nào.")
        else:
            draft.situation = chosen
            draft.no_situation = chosen is None
    draft.save(update_fields=["receiving_unit", "case", "situation", "no_situation", "updated_at"])
    return errors


def draft_adopt(
    *, user: User, procedure: Procedure, typed: dict[str, Any], choices: dict[str, str]
) -> Draft:
    """What a citizen entered before signing up or in becomes their draft: typed answers over
    what the account knows, and the place and situation they chose."""
    draft = draft_start(user=user, procedure=procedure)
    schema = schema_of(procedure)
    draft.eform_data = merged(draft.eform_data or profile_answer(user, schema), typed)
    draft.eform_valid = not eform.validate(schema, draft.eform_data)
    draft.save(update_fields=["eform_data", "eform_valid", "updated_at"])
    # A choice that is no longer offered is simply not taken: the page asks for it again.
    draft_choose_given(draft=draft, post=choices, day=clock.today())
    return draft


def received_anywhere(procedure: Procedure) -> bool:
    """Whether the record says the dossier is received regardless of the applicant's address
    ("không phụ thuộc vào địa giới hành chính"); only then does the page say "any ward"."""
    if procedure.level != CompetenceLevel.COMMUNE:
        return False
    texts = [procedure.conditions, procedure.steps_text]
    texts += [r.name for g in procedure.requirement_groups.all() for r in g.items.all()]
    return any(ANYWHERE.search(text or "") for text in texts)


def draft_attach(
    *, draft: Draft, requirement_id: int, upload: UploadedFile, at: datetime.datetime
) -> DraftDocument:
    """A checked file for one item of the checklist; a refused file leaves nothing behind."""
    item = next(
        (i for i in checklist_for(draft).uploads if i.requirement.pk == requirement_id), None
    )
    if item is None:
        raise DomainError(_("Giấy tờ này không cần tải lên cho hồ sơ của bạn."))
    if len(item.files) >= MAX_FILES_PER_ITEM:
        raise DomainError(
            _("Mỗi giấy tờ tải lên tối đa %(n)s tệp; hãy xóa bớt tệp cũ.")
            % {"n": MAX_FILES_PER_ITEM}
        )
    checked = checked_upload(upload)
    document = DraftDocument(
        draft=draft, requirement=item.requirement, name=short_name(item.requirement.name),
        original_filename=checked.name, sha256=checked.sha256,
        content_type=checked.content_type, size=checked.size, uploaded_at=at,
    )  # fmt: skip
    document.file.save(checked.sha256, ContentFile(checked.content), save=False)
    try:
        document.save()
    except Exception:
        document.file.delete(save=False)
        raise
    Draft.objects.filter(pk=draft.pk).update(updated_at=at)
    return document


def draft_remove_document(*, draft: Draft, document_id: int) -> None:
    document = draft.documents.filter(pk=document_id).first()
    if document is None:
        return
    name = document.file.name
    storage = document.file.storage
    document.delete()
    # After the commit: a rollback must find the file its row names again.
    transaction.on_commit(lambda: storage.delete(name))


def short_name(name: str) -> str:
    """The document's name as stored (255 characters at most), cut only between words."""
    return whole_words(document_name(name), 255)


def draft_problems(draft: Draft, checklist: Checklist | None = None) -> list[str]:
    """What still stops submission, in the words shown on the review page (``checklist``: the
    draft's, when the caller has it already)."""
    problems = []
    if not online_submission_open(draft.procedure):
        problems.append(_("Thủ tục này hiện không còn nhận hồ sơ trực tuyến."))
    if draft.receiving_unit_id is None:
        problems.append(_("Chưa chọn nơi tiếp nhận hồ sơ."))
    elif (
        not receiving_units(draft.procedure, clock.today())
        .filter(pk=draft.receiving_unit_id)
        .exists()
    ):
        problems.append(_("Nơi tiếp nhận đã chọn không còn nhận thủ tục này; hãy chọn lại."))
    if (
        len(situations(draft.procedure)) > 1
        and draft.situation_id is None
        and not draft.no_situation
    ):
        problems.append(_("Chưa chọn trường hợp của bạn."))
    schema = schema_of(draft.procedure)
    if eform.validate(schema, draft.eform_data):
        problems.append(_("Tờ khai còn thông tin thiếu hoặc chưa đúng."))
    checklist = checklist or checklist_for(draft)
    for item in checklist.missing:
        if item.stored is not None:  # the store holds it: only the consent box is missing
            problems.append(
                _(
                    "Chưa tải lên: %(name)s. Giấy tờ này đã có trong kho dữ liệu của bạn: đánh "
                    "dấu ô “Tôi đồng ý để cơ quan giải quyết dùng các giấy tờ “Đã có”…” ở cuối "
                    "danh sách giấy tờ để dùng nó, hoặc tải tệp lên."
                )
                % {"name": item.label}
            )
        else:
            problems.append(_("Chưa tải lên: %(name)s") % {"name": item.label})
    return problems


def applicant_of(draft: Draft) -> dossier_services.Applicant:
    """Who applies: the signed-in account, with its ID number or tax code and its own contacts.

    Contacts typed in the e-form stay in the declaration; messages go to the account's, so that
    nobody can have the system text or mail a stranger.
    """
    user = draft.owner
    typed = draft.eform_data.get("nguoi_yeu_cau", {}) if draft.eform_data else {}
    citizen = getattr(user, "citizen_profile", None)
    business = getattr(user, "business_profile", None)
    if business is not None:
        return dossier_services.Applicant(
            name=business.name, id_number=business.tax_code, kind=ApplicantKind.ORGANISATION,
            phone=user.phone, email=user.email,
        )  # fmt: skip
    return dossier_services.Applicant(
        name=typed.get("ho_ten") or user.full_name,
        id_number=citizen.id_number if citizen else "",
        phone=user.phone,
        email=user.email,
        address=typed.get("noi_cu_tru", citizen.address if citizen else ""),
    )


def draft_submit(*, draft: Draft, user: User, at: datetime.datetime) -> Dossier:
    """One dossier per draft, whatever the number of requests (the draft row is the lock)."""
    copied: list[DossierDocument] = []
    try:
        with transaction.atomic():
            locked = Draft.objects.select_for_update().get(pk=draft.pk, owner=user)
            if locked.dossier_id is not None:
                return Dossier.objects.get(pk=locked.dossier_id)
            checklist = checklist_for(locked)
            problems = draft_problems(locked, checklist)
            if problems:
                raise DomainError(" ".join(problems))
            dossier = dossier_services.dossier_submit(
                procedure=locked.procedure, receiving_unit=locked.receiving_unit,  # type: ignore[arg-type]
                applicant=applicant_of(locked), channel=Channel.ONLINE, at=at, actor=user, owner=user,
                case=locked.case, eform_data=locked.eform_data,
            )  # fmt: skip
            # Only the files of the checklist the applicant reviewed (not those of a situation
            # they chose before and left).
            kept = [f for item in checklist.uploads for f in item.files]
            for document in kept:
                copied.append(copy_into(dossier, document, user, at))
            stored.reuse_at_submit(dossier, checklist, user, at)
            population.used_at_submit(dossier, locked, user, at)
            locked.dossier = dossier
            locked.save(update_fields=["dossier", "updated_at"])
            draft_files_drop(locked)
    except Exception:
        for written in copied:
            written.file.delete(save=False)
        raise
    return dossier


def draft_files_drop(draft: Draft) -> None:
    """The draft's copies go once the dossier holds its own: no personal paper twice on disk.
    Files are removed only after the commit, so a rollback still finds them."""
    names = [document.file.name for document in draft.documents.all()]
    draft.documents.all().delete()
    storage = DraftDocument._meta.get_field("file").storage

    def remove() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(remove)


def draft_discard(*, draft: Draft) -> None:
    """The applicant throws an unsubmitted draft away, with its files."""
    with transaction.atomic():
        locked = Draft.objects.select_for_update().get(pk=draft.pk)
        if locked.dossier_id is not None:
            return
        draft_files_drop(locked)
        locked.delete()


def copy_into(
    dossier: Dossier, document: DraftDocument, user: User, at: datetime.datetime
) -> DossierDocument:
    with document.file.open("rb") as handle:
        content = handle.read()
    upload = SimpleUploadedFile(document.original_filename or document.name, content)
    return dossier_services.dossier_attach(
        dossier=dossier, actor=user, at=at, upload=upload, name=document.name,
        requirement_id=document.requirement_id,
    )  # fmt: skip


def drafts_of(user: User) -> QuerySet[Draft]:
    return Draft.objects.filter(owner=user, dossier__isnull=True).select_related("procedure")

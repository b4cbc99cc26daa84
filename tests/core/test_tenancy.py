"""Tenant scoping: code that forgets the tenant filter still cannot touch other tenants."""

from __future__ import annotations

import pytest
from sqlalchemy import ForeignKey, String, delete, func, select, update
from sqlalchemy.orm import Mapped, aliased, mapped_column, relationship

from core.db import Base, get_db, session
from core.errors import TenantScopeError
from core.models import User
from core.tenancy import (
    TenantScoped,
    cross_tenant,
    current_tenant_id,
    platform_context,
    tenant_context,
)


class Note(TenantScoped, Base):
    """A tenant-owned row as a plugin would define it (test-only table)."""

    __tablename__ = "test_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(100))
    tags: Mapped[list[NoteTag]] = relationship(back_populates="note")


class NoteTag(TenantScoped, Base):
    __tablename__ = "test_note_tag"

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("test_note.id"))
    label: Mapped[str] = mapped_column(String(20))
    note: Mapped[Note] = relationship(back_populates="tags")


TABLES = [Note.__table__, NoteTag.__table__]


@pytest.fixture
def notes(app, tenant, other_tenant):
    """Two notes of Coesfeld (one tagged), one note of Dülmen (tagged)."""
    engine = get_db().engine
    Base.metadata.create_all(engine, tables=TABLES)
    with tenant_context(tenant):
        mine = Note(text="Coesfeld 1", tags=[NoteTag(label="c")])
        session.add_all([mine, Note(text="Coesfeld 2")])
        session.flush()
    with tenant_context(other_tenant):
        theirs = Note(text="Dülmen 1", tags=[NoteTag(label="d")])
        session.add(theirs)
        session.flush()
    session.commit()
    ids = {"mine": mine.id, "theirs": theirs.id}
    session.expunge_all()
    yield ids
    session.rollback()
    Base.metadata.drop_all(engine, tables=TABLES)


def texts(stmt) -> list[str]:
    return sorted(note.text for note in session.scalars(stmt))


def test_select_without_filter_sees_only_the_current_tenant(notes, tenant):
    with tenant_context(tenant):
        assert texts(select(Note)) == ["Coesfeld 1", "Coesfeld 2"]


def test_filter_by_another_tenants_id_finds_nothing(notes, tenant):
    with tenant_context(tenant):
        assert session.scalars(select(Note).where(Note.id == notes["theirs"])).all() == []


def test_session_get_of_another_tenants_row_is_none(notes, tenant):
    with tenant_context(tenant):
        assert session.get(Note, notes["theirs"]) is None
        assert session.get(Note, notes["mine"]).text == "Coesfeld 1"


def test_session_get_from_identity_map_is_checked_too(notes, tenant, other_tenant):
    with tenant_context(other_tenant):
        theirs = session.get(Note, notes["theirs"])
        assert theirs.text == "Dülmen 1"
    # The object now sits in the identity map: get() would answer without SQL.
    with tenant_context(tenant):
        assert session.get(Note, notes["theirs"]) is None


def test_count_with_select_from_is_scoped(notes, tenant):
    with tenant_context(tenant):
        assert session.scalar(select(func.count()).select_from(Note)) == 2


def test_joins_and_aliases_are_scoped(notes, tenant):
    with tenant_context(tenant):
        rows = session.execute(
            select(Note.text, NoteTag.label).join(NoteTag, NoteTag.note_id == Note.id)
        ).all()
        assert rows == [("Coesfeld 1", "c")]
        other = aliased(Note)
        assert sorted(session.scalars(select(other.text))) == ["Coesfeld 1", "Coesfeld 2"]


def test_a_join_into_another_tenants_rows_finds_nothing(notes, tenant):
    with tenant_context(tenant):
        # Joining on a forged condition to reach Dülmen's tags: scoped on both sides.
        rows = session.execute(
            select(Note.text, NoteTag.label).join(NoteTag, NoteTag.label == "d")
        ).all()
        assert rows == []


def test_relationship_loads_are_scoped(notes, tenant):
    with tenant_context(tenant):
        mine = session.get(Note, notes["mine"])
        assert [tag.label for tag in mine.tags] == ["c"]


def test_bulk_update_without_filter_changes_only_the_current_tenant(notes, tenant, other_tenant):
    with tenant_context(tenant):
        result = session.execute(update(Note).values(text="changed"))
        assert result.rowcount == 2
    session.commit()
    with tenant_context(other_tenant):
        assert texts(select(Note)) == ["Dülmen 1"]


def test_bulk_update_aimed_at_another_tenant_changes_nothing(notes, tenant, other_tenant):
    with tenant_context(tenant):
        result = session.execute(
            update(Note).where(Note.id == notes["theirs"]).values(text="hacked")
        )
        assert result.rowcount == 0
    session.commit()
    with tenant_context(other_tenant):
        assert texts(select(Note)) == ["Dülmen 1"]


def test_bulk_delete_without_filter_deletes_only_the_current_tenant(notes, tenant, other_tenant):
    with tenant_context(tenant):
        session.execute(delete(NoteTag))
        result = session.execute(delete(Note))
        assert result.rowcount == 2
    session.commit()
    with tenant_context(other_tenant):
        assert texts(select(Note)) == ["Dülmen 1"]


def test_unit_of_work_update_of_another_tenants_object_is_refused(notes, tenant, other_tenant):
    with tenant_context(other_tenant):
        theirs = session.get(Note, notes["theirs"])
    theirs.text = "hacked"
    with (
        tenant_context(tenant),
        pytest.raises(TenantScopeError, match="refusing to change Note of tenant"),
    ):
        session.flush()
    session.rollback()
    with tenant_context(other_tenant):
        assert texts(select(Note)) == ["Dülmen 1"]


def test_unit_of_work_delete_of_another_tenants_object_is_refused(notes, tenant, other_tenant):
    with tenant_context(other_tenant):
        theirs = session.get(Note, notes["theirs"])
        session.delete(theirs.tags[0])
    with (
        tenant_context(tenant),
        pytest.raises(TenantScopeError, match="refusing to change NoteTag"),
    ):
        session.flush()


def test_moving_a_row_to_another_tenant_is_refused(notes, tenant, other_tenant):
    with tenant_context(tenant):
        mine = session.get(Note, notes["mine"])
        mine.tenant_id = other_tenant.id
        with pytest.raises(TenantScopeError, match="the tenant of a Note cannot change"):
            session.flush()


def test_new_rows_are_stamped_with_the_current_tenant(notes, tenant):
    with tenant_context(tenant):
        note = Note(text="stamped")
        session.add(note)
        session.flush()
        assert note.tenant_id == tenant.id


def test_adding_a_row_for_another_tenant_is_refused(notes, tenant, other_tenant):
    with tenant_context(tenant):
        session.add(Note(text="smuggled", tenant_id=other_tenant.id))
        with pytest.raises(
            TenantScopeError, match=f"refusing to add Note of tenant {other_tenant.id}"
        ):
            session.flush()


def test_query_outside_any_tenant_context_is_refused(notes):
    with pytest.raises(
        TenantScopeError, match="Note is tenant-scoped: query it inside tenant_context"
    ):
        session.scalars(select(Note)).all()


def test_new_row_outside_any_tenant_context_needs_a_tenant(notes):
    session.add(Note(text="orphan"))
    with pytest.raises(TenantScopeError, match="new Note has no tenant"):
        session.flush()


def test_cross_tenant_is_the_explicit_opt_out(notes):
    with cross_tenant("test reads everything"):
        assert texts(select(Note)) == ["Coesfeld 1", "Coesfeld 2", "Dülmen 1"]


def test_execution_option_cross_tenant_opts_out_one_statement(notes, tenant):
    with tenant_context(tenant):
        stmt = select(Note).execution_options(cross_tenant=True)
        assert texts(stmt) == ["Coesfeld 1", "Coesfeld 2", "Dülmen 1"]


def test_cross_tenant_needs_a_reason():
    with pytest.raises(TenantScopeError, match="needs a reason"), cross_tenant(""):
        pass


def test_platform_rows_are_all_that_the_platform_context_sees(app, tenant, operator, citizen):
    with platform_context():
        assert [u.email for u in session.scalars(select(User))] == ["operator@example.org"]
    with tenant_context(tenant):
        assert [u.email for u in session.scalars(select(User))] == ["citizen@example.org"]


def test_contexts_nest_and_restore(tenant, other_tenant):
    assert current_tenant_id() is None
    with tenant_context(tenant):
        with tenant_context(other_tenant):
            assert current_tenant_id() == other_tenant.id
        assert current_tenant_id() == tenant.id
    assert current_tenant_id() is None


def test_every_table_referencing_tenant_rows_carries_its_tenant(app):
    """A child row of a tenant-scoped row must carry the tenant itself, so that the
    scoping and the offboarding deletion reach it."""
    scoped = {t.name for t in Base.metadata.sorted_tables if "tenant_id" in t.c}
    missing = [
        f"{table.name} -> {fk.column.table.name}"
        for table in Base.metadata.sorted_tables
        for fk in table.foreign_keys
        if fk.column.table.name in scoped and "tenant_id" not in table.c
    ]
    assert missing == []

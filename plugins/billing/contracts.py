"""Contracts: one per subscription, pinning a tariff version; terminations and rights.

A contract is created when a subscription starts (hook ``subscription_started``) if
the service has a tariff. Subscriptions that predate their tariff (or billing being
enabled) get theirs from :func:`reconcile_contracts`, which every billing run and the
demo data call: such a contract is charged from the tariff's first day, never for
days before there was a price.

Ending: an *ordinary* termination must respect the minimum term and the notice
period; a *special* one is allowed only while a special termination right is open
(opened for every affected contract when a sponsorship ends). The rules are checked
in ``subscription_ended``, so they hold whoever ends the subscription.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core import (
    NotFoundError,
    Role,
    Subscription,
    Tenant,
    User,
    UserRole,
    ValidationError,
    cross_tenant,
    current_host,
    end_subscription,
    session,
    tenant_context,
)
from plugins.billing.contract_models import (
    Contract,
    Sponsorship,
    Tariff,
    TariffVersion,
    TerminationRight,
)
from plugins.billing.periods import add_months
from plugins.billing.vat import VatCategory

# ---------------------------------------------------------------------------------
# Tariff look-ups
# ---------------------------------------------------------------------------------


def tariff_for_service(service_key: str) -> Tariff | None:
    """The tariff of a service, if one was configured."""
    return session.scalar(select(Tariff).where(Tariff.service_key == service_key))


def version_on(tariff: Tariff, day: dt.date) -> TariffVersion | None:
    """The version of ``tariff`` valid on ``day`` (the latest starting on or before it)."""
    valid = [version for version in tariff.versions if version.valid_from <= day]
    return valid[-1] if valid else None


# ---------------------------------------------------------------------------------
# Creating contracts
# ---------------------------------------------------------------------------------


def create_contract(subscription: Subscription, *, tariff: Tariff | None = None) -> Contract | None:
    """Price a subscription: a contract pinning the tariff version valid on its start.

    Returns None when the service has no tariff (yet) or the subscription already
    has a contract. A subscription that starts before the tariff's first version
    pins that first version and is charged from its ``valid_from`` on, without the
    one-time fee (the connection was made before there was a price for it).
    """
    tariff = tariff or tariff_for_service(subscription.service_key)
    if tariff is None or not tariff.versions:
        return None
    with tenant_context(subscription.tenant_id):
        if session.scalar(select(Contract.id).where(Contract.subscription_id == subscription.id)):
            return None
        version = version_on(tariff, subscription.starts_on)
        predates_tariff = version is None
        if predates_tariff:
            version = tariff.versions[0]
        contract = Contract(
            tenant_id=subscription.tenant_id,
            subscription_id=subscription.id,
            tariff_version_id=version.id,
            service_key=subscription.service_key,
            starts_on=subscription.starts_on,
            billable_from=max(subscription.starts_on, version.valid_from),
            ends_on=subscription.ends_on,
            end_reason=subscription.end_reason,
            one_time_fee_due=not predates_tariff
            and _one_time_fee_applies(version, subscription.starts_on),
            vat_category=version.vat_category,
            vat_rate_bp=version.vat_rate_bp,
            framework_ref=version.framework_ref,
            call_off_ref=subscription.contract_ref,
            minimum_term_months=version.minimum_term_months,
            notice_period_months=version.notice_period_months,
        )
        contract.version = version
        session.add(contract)
        session.flush()
    return contract


def _one_time_fee_applies(version: TariffVersion, connected_on: dt.date) -> bool:
    if version.one_time_fee_cents <= 0:
        return False
    return version.one_time_fee_from is None or connected_on >= version.one_time_fee_from


def reconcile_contracts() -> list[Contract]:
    """Create the missing contracts of subscriptions whose service has a tariff.

    For subscriptions made before the tariff existed or before billing was enabled.
    Idempotent: a second call creates nothing. Also carries subscription end dates
    over to contracts that missed them. The caller commits.
    """
    with cross_tenant("billing reconciles every tenant's subscriptions with contracts"):
        tariffs = {tariff.service_key: tariff for tariff in session.scalars(select(Tariff))}
        priced = set(tariffs)
        if not priced:
            return []
        missing = session.scalars(
            select(Subscription)
            .outerjoin(Contract, Contract.subscription_id == Subscription.id)
            .where(Contract.id.is_(None), Subscription.service_key.in_(priced))
            .order_by(Subscription.id)
        ).all()
        created = [
            contract
            for sub in missing
            if (contract := create_contract(sub, tariff=tariffs[sub.service_key])) is not None
        ]
        stale = session.execute(
            select(Contract, Subscription)
            .join(Subscription, Subscription.id == Contract.subscription_id)
            .where(Subscription.ends_on.is_not(None), Contract.ends_on.is_(None))
        ).all()
        for contract, sub in stale:
            contract.ends_on = sub.ends_on
            contract.end_reason = sub.end_reason
        session.flush()
    return created


def set_vat_treatment(contract: Contract, category: VatCategory, rate_bp: int) -> Contract:
    """Change a contract's VAT treatment (applies to items not yet billed)."""
    check_vat(category, rate_bp)
    with tenant_context(contract.tenant_id):
        contract.vat_category = category
        contract.vat_rate_bp = rate_bp
        session.flush()
    return contract


#: Allowed VAT rates per category, in hundredths of a percent.
VAT_RATES = {
    VatCategory.STANDARD: (1900, 700),
    VatCategory.NOT_SUBJECT: (0,),
    VatCategory.EXEMPT: (0,),
}


def check_vat(category: VatCategory, rate_bp: int, field: str = "vat_rate") -> None:
    """Refuse a rate that does not belong to the category (19 or 7 % for S, 0 else)."""
    allowed = VAT_RATES[VatCategory(category)]
    if rate_bp not in allowed:
        shown = " or ".join(f"{rate / 100:.2f}" for rate in allowed)
        raise ValidationError(
            "category %(category)s needs a rate of %(rates)s %%",
            field=field,
            code="vat.rate",
            category=VatCategory(category).value,
            rates=shown,
        )


# ---------------------------------------------------------------------------------
# Ending contracts
# ---------------------------------------------------------------------------------


def contract_of(subscription: Subscription) -> Contract | None:
    """The contract of a subscription, if any."""
    with tenant_context(subscription.tenant_id):
        return session.scalar(select(Contract).where(Contract.subscription_id == subscription.id))


def earliest_ordinary_end(contract: Contract, notice_on: dt.date) -> dt.date:
    """The first day that can be a contract's last day when notice is given on ``notice_on``."""
    after_minimum_term = add_months(
        contract.starts_on, contract.minimum_term_months
    ) - dt.timedelta(days=1)
    after_notice = add_months(notice_on, contract.notice_period_months)
    return max(after_minimum_term, after_notice)


def end_contract(subscription: Subscription, reason: str) -> Contract | None:
    """Carry a subscription's end over to its contract, enforcing the termination rules.

    :raises ValidationError: an ordinary termination before the minimum term or
        without the notice period; a special termination without an open right.
    """
    contract = contract_of(subscription)
    if contract is None or subscription.ends_on is None:
        return contract
    notice_on = subscription.notice_on
    ends_on = subscription.ends_on
    if notice_on is None:
        # Ended through core directly: today is the notice day, unless a past end is
        # being recorded (core's ``allow_backdated``), which is history, not notice.
        notice_on = dt.date.today()
        if ends_on < notice_on and reason == "ordinary":
            notice_on = None
    with tenant_context(subscription.tenant_id):
        # Checked first: a refused end must leave nothing changed (not even a right used).
        _refuse_end_over_final_invoices(contract, ends_on)
        if reason == "ordinary" and notice_on is not None:
            earliest = earliest_ordinary_end(contract, notice_on)
            if ends_on < earliest:
                raise ValidationError(
                    "an ordinary termination given on %(notice)s (minimum term %(term)s months, "
                    "notice period %(period)s months) ends on %(earliest)s at the earliest; "
                    "choose a later last day or use an open special termination right",
                    field="ends_on",
                    code="contract.notice",
                    notice=notice_on.isoformat(),
                    term=contract.minimum_term_months,
                    period=contract.notice_period_months,
                    earliest=earliest.isoformat(),
                )
        elif reason == "special":
            right = open_right(contract, notice_on or ends_on)
            if right is None:
                raise ValidationError(
                    "contract %(id)s has no special termination right open on %(day)s; "
                    "terminate ordinarily",
                    field="reason",
                    code="contract.no_special_right",
                    id=contract.id,
                    day=notice_on.isoformat(),
                )
            right.used_on = notice_on
        contract.ends_on = ends_on
        contract.end_reason = reason
        session.flush()
    return contract


def _refuse_end_over_final_invoices(contract: Contract, ends_on: dt.date) -> None:
    """A (backdated) end must not fall inside what final invoices already charged:
    the invoices stay as they are (GoBD), so they are cancelled first, then the next
    run bills up to the new end.

    :raises ValidationError: final, uncancelled invoices charge days after ``ends_on``.
    """
    from plugins.billing.invoice_models import Invoice, InvoiceLine, InvoiceStatus
    from plugins.billing.invoices import cancelled_ids

    numbers = sorted(
        set(
            session.scalars(
                select(Invoice.number)
                .join(InvoiceLine, InvoiceLine.invoice_id == Invoice.id)
                .where(
                    Invoice.status == InvoiceStatus.FINAL,
                    Invoice.type_code == "380",
                    Invoice.id.not_in(cancelled_ids() or {0}),
                    InvoiceLine.item_key.startswith(f"contract:{contract.id}:"),
                    InvoiceLine.period_end > ends_on,
                )
            )
        )
    )
    if numbers:
        raise ValidationError(
            "final invoices charge this contract after %(day)s (%(numbers)s); cancel them "
            "first, the next billing run then bills up to the new end",
            field="ends_on",
            code="contract.end_over_final_invoices",
            day=ends_on.isoformat(),
            numbers=", ".join(numbers),
        )


def open_right(contract: Contract, day: dt.date) -> TerminationRight | None:
    """A special termination right of the contract open on ``day``."""
    with tenant_context(contract.tenant_id):
        rights = session.scalars(
            select(TerminationRight).where(TerminationRight.contract_id == contract.id)
        )
        return next((right for right in rights if right.is_open(day)), None)


def terminate(
    tenant: Tenant,
    service_key: str,
    *,
    ends_on: dt.date,
    special: bool = False,
    notice_on: dt.date | None = None,
) -> Contract:
    """Terminate a tenant's contract for a service (ends the subscription too).

    :param special: use an open special termination right instead of the notice period.
    :param notice_on: the day notice is given (default today).
    :raises NotFoundError: the tenant has no contract for the service.
    """
    notice_on = notice_on or dt.date.today()
    subscription = end_subscription(
        tenant,
        service_key,
        ends_on=ends_on,
        reason="special" if special else "ordinary",
        notice_on=notice_on,
        allow_backdated=True,
        today=notice_on,
    )
    contract = contract_of(subscription)
    if contract is None:
        raise NotFoundError(
            "the subscription of %(tenant)s to %(service)s has no contract",
            field="service",
            code="contract.missing",
            tenant=repr(tenant.slug),
            service=repr(service_key),
        )
    return contract


# ---------------------------------------------------------------------------------
# Special termination rights
# ---------------------------------------------------------------------------------


def open_termination_rights(day: dt.date) -> list[TerminationRight]:
    """Open a right for every contract paid by a sponsorship that ended by ``day``.

    The right opens the day after the sponsor's last day and stays open for the
    sponsorship's ``termination_window_days``. Each new right emits the hook
    ``special_termination_right_opened`` and queues a notice to the tenant's admins.
    Idempotent (one right per contract and sponsorship, enforced by the database).
    """
    opened = []
    ended = session.scalars(
        select(Sponsorship).where(Sponsorship.ends_on.is_not(None), Sponsorship.ends_on <= day)
    ).all()
    for sponsorship in ended:
        with cross_tenant("a sponsorship ending affects contracts of many tenants"):
            rows = session.execute(
                select(Contract, Tenant)
                .join(Tenant, Tenant.id == Contract.tenant_id)
                .outerjoin(
                    TerminationRight,
                    (TerminationRight.contract_id == Contract.id)
                    & (TerminationRight.sponsorship_id == sponsorship.id),
                )
                .where(
                    Contract.service_key == sponsorship.service_key,
                    TerminationRight.id.is_(None),
                    Contract.starts_on <= sponsorship.ends_on,
                )
                .order_by(Contract.id)
            ).all()
        for contract, tenant in rows:
            if contract.ends_on is not None and contract.ends_on <= sponsorship.ends_on:
                continue
            if not sponsorship.covers(tenant.ags, max(contract.starts_on, sponsorship.starts_on)):
                continue
            opened.append(_open_right(contract, tenant, sponsorship))
    return opened


def _open_right(contract: Contract, tenant: Tenant, sponsorship: Sponsorship) -> TerminationRight:
    opens_on = sponsorship.ends_on + dt.timedelta(days=1)
    with tenant_context(tenant):
        right = TerminationRight(
            tenant_id=tenant.id,
            contract_id=contract.id,
            sponsorship_id=sponsorship.id,
            opens_on=opens_on,
            closes_on=opens_on + dt.timedelta(days=sponsorship.termination_window_days - 1),
        )
        right.contract = contract
        right.sponsorship = sponsorship
        session.add(right)
        session.flush()
        _notify_admins(right, tenant)
        current_host().hook.special_termination_right_opened(right=right, tenant=tenant)
    return right


def _notify_admins(right: TerminationRight, tenant: Tenant) -> None:
    from core import queue_mail

    subject = f"Sonderkündigungsrecht für {right.contract.service_key}"
    body = (
        f"Guten Tag,\n\n{right.sponsorship.sponsor.name} trägt die Kosten des Dienstes "
        f"„{right.contract.service_key}“ nur bis zum {right.sponsorship.ends_on:%d.%m.%Y}. "
        f"{tenant.title} kann den Vertrag (Nr. {right.contract.id}) deshalb vom "
        f"{right.opens_on:%d.%m.%Y} bis zum {right.closes_on:%d.%m.%Y} außerordentlich kündigen. "
        "Ohne Kündigung wird der Dienst ab dann zu den Preisen des Tarifs berechnet.\n"
    )
    for address in admin_addresses(tenant):
        queue_mail(
            address,
            subject,
            body,
            category="billing.termination-right",
            tenant=tenant,
            dedup_key=f"billing.termination-right:{right.id}:{address}",
        )


def admin_addresses(tenant: Tenant) -> list[str]:
    """E-mail addresses of the tenant's admins (else its contact address)."""
    with tenant_context(tenant):
        addresses = session.scalars(
            select(User.email)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == Role.TENANT_ADMIN, User.is_active.is_(True))
            .order_by(User.email)
        ).all()
    if not addresses and tenant.contact_email:
        return [tenant.contact_email]
    return list(addresses)


def termination_rights(
    day: dt.date | None = None, tenant: Tenant | None = None
) -> list[TerminationRight]:
    """Rights of every tenant (or one), optionally only those open on ``day``."""
    stmt = select(TerminationRight).order_by(TerminationRight.opens_on, TerminationRight.id)
    if tenant is not None:
        with tenant_context(tenant):
            rights = list(session.scalars(stmt))
    else:
        with cross_tenant("operator lists special termination rights of all tenants"):
            rights = list(session.scalars(stmt))
    return [right for right in rights if day is None or right.is_open(day)]

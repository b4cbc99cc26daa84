"""Configuration as code: issuers, sponsors, tariffs, sponsorships and pools from TOML.

``apply_config(data)`` validates the whole document first (marshmallow; every error
names its key path, e.g. ``tariffs[0].versions[1].recurring_fee``), then writes it in
one transaction: all or nothing. Entities are matched by key (tariff versions by
``valid_from``), so applying the same file again changes nothing. A tariff version
that contracts have pinned cannot change its prices: add a new version instead.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from typing import Any

import marshmallow as ma
from sqlalchemy import func, select

from core import Tenant, ValidationError, catalogue, session
from plugins.billing import (
    grant_schemas,  # noqa: F401 - registers GrantConfigSchema
    pool_schemas,  # noqa: F401 - registers BillingPoolSchema
)
from plugins.billing.contract_models import (
    Contract,
    Sponsorship,
    Tariff,
    TariffMetric,
    TariffVersion,
)
from plugins.billing.party_models import Issuer, Sponsor
from plugins.billing.pool_models import CostPool, PoolCost, PoolMember, PoolSubsidy
from plugins.billing.pools import validate_pool
from plugins.billing.schemas import BillingConfigSchema, error_paths


class ConfigError(ValidationError):
    """The configuration is invalid; ``problems`` lists every ``path: message``."""

    def __init__(self, problems: list[str]) -> None:
        first = problems[0]
        path, _, message = first.partition(": ")
        more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        super().__init__(message + more, field=path)
        self.problems = problems


def apply_toml(text: str, *, dry_run: bool = False, commit: bool = True) -> dict[str, Any]:
    """Parse TOML and apply it (see :func:`apply_config`)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError(
            "not valid TOML: %(problem)s", field="file", code="config.toml", problem=str(exc)
        ) from None
    return apply_config(data, dry_run=dry_run, commit=commit)


def apply_config(
    data: dict[str, Any], *, dry_run: bool = False, commit: bool = True
) -> dict[str, Any]:
    """Validate and apply a configuration document; commit unless ``dry_run`` (or
    ``commit`` is false: the caller's transaction, as in the demo data).

    :return: ``{"changed": {kind: [keys]}, "warnings": [...], "dry_run": bool}``.
    :raises ConfigError: anything invalid; nothing was written.
    """
    try:
        config = BillingConfigSchema().load(data)
    except ma.ValidationError as exc:
        raise ConfigError(error_paths(exc.messages)) from None
    changed: dict[str, list[str]] = {
        kind: [] for kind in ("issuers", "sponsors", "tariffs", "sponsorships", "pools", "grants")
    }
    warnings: list[str] = []
    try:
        with session.no_autoflush:
            _apply_all(config, changed, warnings)
        session.flush()
    except Exception:
        session.rollback()
        raise
    if dry_run:
        session.rollback()
    elif commit:
        session.commit()
    return {"changed": changed, "warnings": warnings, "dry_run": dry_run}


def _apply_all(config: dict[str, Any], changed: dict[str, list[str]], warnings: list[str]) -> None:
    """Each entity in dependency order (a new object is flushed once complete)."""
    for index, item in enumerate(config["issuers"]):
        _at(f"issuers[{index}]", _apply_issuer, item, changed)
    for index, item in enumerate(config["sponsors"]):
        _at(f"sponsors[{index}]", _apply_party, Sponsor, item, changed["sponsors"])
    session.flush()
    for index, item in enumerate(config["tariffs"]):
        _at(f"tariffs[{index}]", _apply_tariff, item, changed, warnings)
    for index, item in enumerate(config["sponsorships"]):
        _at(f"sponsorships[{index}]", _apply_sponsorship, item, changed)
    for index, item in enumerate(config["pools"]):
        _at(f"pools[{index}]", _apply_pool, item, changed)
    for index, item in enumerate(config["grants"]):
        _at(f"grants[{index}]", _apply_grant, item, changed)


def _apply_grant(item: dict[str, Any], changed: dict[str, list[str]]) -> None:
    from plugins.billing.grants import apply_grant

    apply_grant(item, lambda ags: _tenant_by_ags(ags, "partners"), changed["grants"])


def _at(path: str, function: Any, *args: Any) -> None:
    """Run one entity's apply step; prefix a domain error's field with the key path."""
    try:
        function(*args)
    except ValidationError as exc:
        if isinstance(exc, ConfigError):
            raise
        field = f"{path}.{exc.field}" if exc.field else path
        raise ConfigError([f"{field}: {exc.message}"]) from None


def _assign(obj: Any, values: dict[str, Any]) -> bool:
    """Set attributes that differ; True when anything changed."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _get_or_new(model: type, key: str) -> tuple[Any, bool]:
    obj = session.scalar(select(model).where(model.key == key))
    if obj is None:
        obj = model(key=key)
        session.add(obj)
        return obj, True
    return obj, False


def _tenant_by_ags(ags: str, field: str) -> Tenant:
    tenant = session.scalar(select(Tenant).where(Tenant.ags == ags))
    if tenant is None:
        raise ValidationError(
            "no tenant with AGS %(ags)s; register it first",
            field=field,
            code="config.unknown_tenant",
            ags=ags,
        )
    return tenant


_PARTY_FIELDS = (
    "name",
    "street",
    "postcode",
    "city",
    "country",
    "contact_name",
    "contact_phone",
    "contact_email",
    "electronic_address",
    "vat_id",
    "tax_number",
    "registration_id",
    "iban",
)


def _apply_party(
    model: type, item: dict[str, Any], changed: list[str], extra: dict[str, Any] | None = None
) -> Any:
    obj, new = _get_or_new(model, item["key"])
    values = {name: item.get(name) for name in _PARTY_FIELDS}
    values["country"] = item.get("country") or "DE"
    if model is Sponsor:
        values["leitweg_id"] = item.get("leitweg_id")
    values.update(extra or {})
    if _assign(obj, values) or new:
        changed.append(item["key"])
    return obj


def _apply_issuer(item: dict[str, Any], changed: dict[str, list[str]]) -> None:
    tenant_id = _tenant_by_ags(item["tenant"], "tenant").id if item.get("tenant") else None
    extra = {
        "bic": item.get("bic"),
        "number_prefix": item["number_prefix"],
        "payment_days": item["payment_days"],
        "own_tenant_id": tenant_id,
    }
    _apply_party(Issuer, item, changed["issuers"], extra)


def _issuer(key: str) -> Issuer:
    issuer = session.scalar(select(Issuer).where(Issuer.key == key))
    if issuer is None:
        raise ValidationError(
            "no issuer %(key)s (define it under [[issuers]])",
            field="issuer",
            code="config.unknown_issuer",
            key=repr(key),
        )
    return issuer


def _apply_tariff(item: dict[str, Any], changed: dict[str, list[str]], warnings: list[str]) -> None:
    if item["service"] not in catalogue():
        warnings.append(
            f"tariff {item['key']!r}: service {item['service']!r} is not in the catalogue; "
            "it applies once a plugin provides it"
        )
    other = session.scalar(
        select(Tariff).where(Tariff.service_key == item["service"], Tariff.key != item["key"])
    )
    if other is not None:
        raise ValidationError(
            "service %(service)s already has tariff %(tariff)s",
            field="service",
            code="config.service_has_tariff",
            service=repr(item["service"]),
            tariff=repr(other.key),
        )
    tariff, new = _get_or_new(Tariff, item["key"])
    dirty = _assign(
        tariff,
        {
            "service_key": item["service"],
            "name": item["name"],
            "issuer_id": _issuer(item["issuer"]).id,
        },
    )
    session.flush()
    for index, version in enumerate(item["versions"]):
        try:
            dirty |= _apply_version(tariff, version)
        except ValidationError as exc:
            raise ValidationError(
                exc.template, field=f"versions[{index}].{exc.field}", code=exc.code, **exc.params
            ) from None
    if dirty or new:
        changed["tariffs"].append(item["key"])


_VERSION_FIELDS = (
    "one_time_fee_cents",
    "one_time_fee_from",
    "recurring_fee_cents",
    "interval",
    "proration",
    "vat_category",
    "vat_rate_bp",
    "minimum_term_months",
    "notice_period_months",
    "framework_ref",
    "description",
)


def _apply_version(tariff: Tariff, item: dict[str, Any]) -> bool:
    values = {
        "one_time_fee_cents": item["one_time_fee"],
        "one_time_fee_from": item["one_time_fee_from"],
        "recurring_fee_cents": item["recurring_fee"],
        "interval": item["interval"],
        "proration": item["proration"],
        "vat_category": item["vat_category"],
        "vat_rate_bp": item["vat_rate"],
        "minimum_term_months": item["minimum_term_months"],
        "notice_period_months": item["notice_period_months"],
        "framework_ref": item["framework_ref"],
        "description": item["description"],
    }
    metrics = [
        {
            "metric": m["metric"],
            "description": m["description"],
            "unit_price_cents": m["unit_price"],
            "included": m["included"],
        }
        for m in sorted(item["metrics"], key=lambda m: m["metric"])
    ]
    version = session.scalar(
        select(TariffVersion).where(
            TariffVersion.tariff_id == tariff.id, TariffVersion.valid_from == item["valid_from"]
        )
    )
    if version is None:
        version = TariffVersion(tariff_id=tariff.id, valid_from=item["valid_from"], **values)
        version.metrics = [TariffMetric(**metric) for metric in metrics]
        session.add(version)
        session.flush()
        session.expire(tariff, ["versions"])
        return True
    current = {name: getattr(version, name) for name in _VERSION_FIELDS}
    current_metrics = [
        {
            "metric": m.metric,
            "description": m.description,
            "unit_price_cents": m.unit_price_cents,
            "included": m.included,
        }
        for m in version.metrics
    ]
    if current == values and current_metrics == metrics:
        return False
    pinned = session.scalar(
        select(func.count())
        .select_from(Contract)
        .where(Contract.tariff_version_id == version.id)
        .execution_options(cross_tenant=True)
    )
    if pinned:
        raise ValidationError(
            "the version valid from %(day)s is pinned by %(count)s contract(s); add a new "
            "version with a later valid_from instead",
            field="valid_from",
            code="config.version_pinned",
            day=version.valid_from.isoformat(),
            count=pinned,
        )
    _assign(version, values)
    version.metrics = [TariffMetric(**metric) for metric in metrics]
    return True


def _apply_sponsorship(item: dict[str, Any], changed: dict[str, list[str]]) -> None:
    sponsor = session.scalar(select(Sponsor).where(Sponsor.key == item["sponsor"]))
    if sponsor is None:
        raise ValidationError(
            "no sponsor %(key)s (define it under [[sponsors]])",
            field="sponsor",
            code="config.unknown_sponsor",
            key=repr(item["sponsor"]),
        )
    _refuse_overlap(item)
    sponsorship, new = _get_or_new(Sponsorship, item["key"])
    values = {
        "sponsor_id": sponsor.id,
        "service_key": item["service"],
        "tenant_ags": sorted(item["tenants"]) if item["tenants"] is not None else None,
        "starts_on": item["starts_on"],
        "ends_on": item["ends_on"],
        "covers_recurring": item["covers_recurring"],
        "covers_one_time": item["covers_one_time"],
        "termination_window_days": item["termination_window_days"],
    }
    if _assign(sponsorship, values) or new:
        changed["sponsorships"].append(item["key"])


def _refuse_overlap(item: dict[str, Any]) -> None:
    """Two sponsorships may not pay the same service for the same tenant on one day:
    which of them would the invoice go to?"""
    session.flush()  # sponsorships earlier in the same document count too
    others = session.scalars(
        select(Sponsorship).where(
            Sponsorship.service_key == item["service"], Sponsorship.key != item["key"]
        )
    )
    far = dt.date.max
    for other in others:
        if item["starts_on"] > (other.ends_on or far) or other.starts_on > (item["ends_on"] or far):
            continue
        mine, theirs = item["tenants"], other.tenant_ags
        if mine is not None and theirs is not None and not set(mine) & set(theirs):
            continue
        raise ValidationError(
            "overlaps sponsorship %(other)s of the same service; end one before the other starts",
            field="starts_on",
            code="sponsorship.overlap",
            other=repr(other.key),
        )


def _apply_pool(item: dict[str, Any], changed: dict[str, list[str]]) -> None:
    from plugins.billing.corrections import refuse_silent_change, shares_by_year
    from plugins.billing.pool_config import apply_pool_sources

    pool, new = _get_or_new(CostPool, item["key"])
    before = {} if new else shares_by_year(pool)
    dirty = _assign(
        pool,
        {
            "name": item["name"],
            "issuer_id": _issuer(item["issuer"]).id,
            "allocation": item["allocation"],
            "vat_category": item["vat_category"],
            "vat_rate_bp": item["vat_rate"],
            "billing_month": item["billing_month"],
        },
    )
    costs = [
        {
            "module": c["module"],
            "description": c["description"],
            "first_year": c["first_year"],
            "last_year": c["last_year"],
            "amount_cents": c["amount"],
        }
        for c in sorted(item["costs"], key=lambda c: (c["first_year"], c["module"]))
    ]
    subsidies = [
        {
            "module": s["module"],
            "source": s["source"],
            "first_year": s["first_year"],
            "last_year": s["last_year"],
            "amount_cents": s["amount"],
            "status": s["status"],
        }
        for s in sorted(item["subsidies"], key=lambda s: (s["first_year"], s["module"]))
    ]
    members = []
    for index, member in enumerate(item["members"]):
        tenant = _tenant_by_ags(member["ags"], f"members[{index}].ags")
        members.append(
            {
                "member_tenant_id": tenant.id,
                "joins_on": member["joins_on"],
                "modules": sorted(member["modules"]),
                "weight": member["weight"],
                "share_bp": member["share"],
                "flat_rates": [
                    {
                        "first_year": r["first_year"],
                        "last_year": r["last_year"],
                        "cents": r["amount"],
                    }
                    for r in member["flat_rates"]
                ],
                "budget_product": member["budget_product"],
                "budget_account": member["budget_account"],
            }
        )
    dirty |= _replace(
        pool,
        "costs",
        PoolCost,
        costs,
        ("module", "description", "first_year", "last_year", "amount_cents"),
    )
    dirty |= _replace(
        pool,
        "subsidies",
        PoolSubsidy,
        subsidies,
        ("module", "source", "first_year", "last_year", "amount_cents", "status"),
    )
    dirty |= _replace(
        pool,
        "members",
        PoolMember,
        members,
        ("member_tenant_id", "joins_on", "modules", "weight", "share_bp", "flat_rates")
        + ("budget_product", "budget_account"),
    )
    dirty |= apply_pool_sources(pool, item, new, _replace)
    session.flush()
    ags_of = dict(session.execute(select(Tenant.id, Tenant.ags)).all())
    validate_pool(pool, ags_of)
    if dirty and not new:
        refuse_silent_change(pool, before)
    if dirty or new:
        changed["pools"].append(item["key"])


def _replace(
    pool: CostPool, name: str, model: type, rows: list[dict[str, Any]], fields: tuple[str, ...]
) -> bool:
    """Replace a pool's child rows when they differ from ``rows``."""
    current = [{field: getattr(obj, field) for field in fields} for obj in getattr(pool, name)]
    if current == rows:
        return False
    getattr(pool, name).clear()
    session.flush()
    getattr(pool, name).extend(model(**row) for row in rows)
    return True

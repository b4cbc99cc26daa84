"""Marshmallow schemas of the engagement API (names prefixed ``Engagement``)."""

from __future__ import annotations

import marshmallow as ma
from webargs.fields import DelimitedList

from plugins.engagement import vocabulary
from plugins.engagement.models import OrganisationKind, Reach, Schedule

_FIELD_KEYS = list(vocabulary.FIELDS)
_SKILL_KEYS = list(vocabulary.SKILLS)


class EngagementSearchArgsSchema(ma.Schema):
    """Query parameters of the search."""

    plz = ma.fields.String(load_default=None, metadata={"description": "PLZ or place name"})
    radius_km = ma.fields.Integer(load_default=25, validate=ma.validate.Range(1, 200))
    q = ma.fields.String(
        load_default="",
        validate=ma.validate.Length(max=200),
        metadata={"description": "German full-text search (stemmed, prefix)"},
    )
    # "fields" is a Schema attribute in marshmallow: the Python name differs, the API name not.
    fields_ = DelimitedList(
        ma.fields.String(validate=ma.validate.OneOf(_FIELD_KEYS)),
        load_default=list,
        data_key="fields",
        attribute="fields",
        metadata={"description": "comma-separated fields of engagement"},
    )
    statewide = ma.fields.Boolean(
        load_default=False,
        metadata={"description": "include Kreis- and Land-wide offers of other tenants"},
    )
    limit = ma.fields.Integer(load_default=20, validate=ma.validate.Range(1, 100))
    schedule = ma.fields.String(
        load_default=None, validate=ma.validate.OneOf([s.value for s in Schedule])
    )
    remote = ma.fields.Boolean(load_default=None)
    age = ma.fields.Integer(load_default=None, validate=ma.validate.Range(0, 120))
    date_from = ma.fields.Date(load_default=None)
    date_to = ma.fields.Date(load_default=None)


class EngagementReasonSchema(ma.Schema):
    """Why an offer matches."""

    code = ma.fields.String(
        metadata={"description": "distance, fields, skills, availability, language, ..."}
    )
    text = ma.fields.String(metadata={"description": "the reason in the request's language"})


class EngagementOrganisationRefSchema(ma.Schema):
    """The public face of an organisation (no contact data)."""

    id = ma.fields.Integer()
    name = ma.fields.String()
    kind = ma.fields.String()
    verified = ma.fields.Boolean()


class EngagementOpportunitySchema(ma.Schema):
    """An offer as the public sees it."""

    id = ma.fields.Integer()
    tenant = ma.fields.String(metadata={"description": "slug of the offering municipality"})
    title = ma.fields.String()
    description = ma.fields.String()
    fields_ = ma.fields.List(ma.fields.String(), data_key="fields", attribute="fields")
    skills = ma.fields.List(ma.fields.String())
    languages = ma.fields.List(ma.fields.String())
    remote = ma.fields.Boolean()
    plz = ma.fields.String(allow_none=True)
    place = ma.fields.String(allow_none=True)
    lat = ma.fields.Float(allow_none=True)
    lon = ma.fields.Float(allow_none=True)
    reach = ma.fields.String()
    schedule = ma.fields.String()
    starts_on = ma.fields.Date(allow_none=True)
    ends_on = ma.fields.Date(allow_none=True)
    time_slots = ma.fields.List(ma.fields.String())
    hours_per_week = ma.fields.Integer(allow_none=True)
    min_age = ma.fields.Integer()
    accessibility_notes = ma.fields.String()
    with_children = ma.fields.Boolean()
    places = ma.fields.Integer(allow_none=True)
    places_left = ma.fields.Integer(allow_none=True)
    waitlist_open = ma.fields.Boolean()
    status = ma.fields.String()
    expires_on = ma.fields.Date()
    organisation = ma.fields.Nested(EngagementOrganisationRefSchema)


class EngagementSearchResultSchema(ma.Schema):
    """One ranked search result."""

    opportunity = ma.fields.Nested(EngagementOpportunitySchema)
    distance_km = ma.fields.Float(allow_none=True)
    score = ma.fields.Integer(metadata={"description": "0-100"})
    reasons = ma.fields.List(ma.fields.Nested(EngagementReasonSchema))


class EngagementSearchSchema(ma.Schema):
    """The search answer."""

    items = ma.fields.List(ma.fields.Nested(EngagementSearchResultSchema))


class EngagementOrganisationInputSchema(ma.Schema):
    """A new organisation."""

    name = ma.fields.String(required=True)
    kind = ma.fields.String(
        required=True, validate=ma.validate.OneOf([k.value for k in OrganisationKind])
    )
    description = ma.fields.String(load_default="")
    website = ma.fields.String(load_default=None, allow_none=True)
    contact_email = ma.fields.String(required=True)
    phone = ma.fields.String(load_default=None, allow_none=True)
    plz = ma.fields.String(load_default=None, allow_none=True)
    place = ma.fields.String(load_default=None, allow_none=True)


class EngagementOrganisationSchema(EngagementOrganisationRefSchema):
    """An organisation as its municipality's admins see it."""

    contact_email = ma.fields.String()
    phone = ma.fields.String(allow_none=True)
    website = ma.fields.String(allow_none=True)


class EngagementOpportunityInputSchema(ma.Schema):
    """A new or changed offer (the domain checks the rules and names the field)."""

    organisation_id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    description = ma.fields.String(required=True)
    fields_ = ma.fields.List(
        ma.fields.String(validate=ma.validate.OneOf(_FIELD_KEYS)),
        required=True,
        data_key="fields",
        attribute="fields",
    )
    skills = ma.fields.List(
        ma.fields.String(validate=ma.validate.OneOf(_SKILL_KEYS)), load_default=list
    )
    languages = ma.fields.List(ma.fields.String(), load_default=list)
    remote = ma.fields.Boolean(load_default=False)
    street = ma.fields.String(load_default=None, allow_none=True)
    plz = ma.fields.String(load_default=None, allow_none=True)
    place = ma.fields.String(load_default=None, allow_none=True)
    reach = ma.fields.String(
        load_default="local", validate=ma.validate.OneOf([r.value for r in Reach])
    )
    schedule = ma.fields.String(
        load_default="regular", validate=ma.validate.OneOf([s.value for s in Schedule])
    )
    starts_on = ma.fields.Date(load_default=None, allow_none=True)
    ends_on = ma.fields.Date(load_default=None, allow_none=True)
    time_slots = ma.fields.List(
        ma.fields.String(validate=ma.validate.OneOf(list(vocabulary.SLOTS))), load_default=list
    )
    hours_per_week = ma.fields.Integer(load_default=None, allow_none=True)
    min_age = ma.fields.Integer(load_default=0)
    accessibility_notes = ma.fields.String(load_default="")
    with_children = ma.fields.Boolean(load_default=False)
    places = ma.fields.Integer(load_default=None, allow_none=True)
    waitlist_open = ma.fields.Boolean(load_default=False)
    expires_on = ma.fields.Date(load_default=None, allow_none=True)


class EngagementStatusChangeSchema(ma.Schema):
    """A status action on an offer."""

    action = ma.fields.String(
        required=True, validate=ma.validate.OneOf(["submit", "pause", "resume", "archive"])
    )


class EngagementReviewDecisionSchema(ma.Schema):
    """A bulk decision on offers in the review queue."""

    offers = ma.fields.List(ma.fields.Integer(), required=True, validate=ma.validate.Length(min=1))
    decision = ma.fields.String(required=True, validate=ma.validate.OneOf(["approve", "reject"]))
    reason = ma.fields.String(load_default=None, allow_none=True)


class EngagementStatisticsSchema(ma.Schema):
    """Figures for tenant admins (durations in hours)."""

    organisations = ma.fields.Integer()
    offers = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    requests = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    requests_total = ma.fields.Integer()
    acceptance_rate = ma.fields.Float(allow_none=True)
    first_answer_hours = ma.fields.Float(allow_none=True)
    unanswered_requests = ma.fields.Integer()
    review_wait_hours = ma.fields.Float(allow_none=True)
    review_queue = ma.fields.Integer()
    review_queue_oldest_hours = ma.fields.Float(allow_none=True)
    open_reports = ma.fields.Integer()


class EngagementOpenDataRecordSchema(ma.Schema):
    """One offer as open data: no names of private people, no contact data."""

    id = ma.fields.Integer()
    title = ma.fields.String()
    organisation = ma.fields.String(
        metadata={"description": 'the organisation\'s name; "Privatperson" for private people'}
    )
    organisation_kind = ma.fields.String()
    fields_ = ma.fields.List(ma.fields.String(), data_key="fields", attribute="fields")
    skills = ma.fields.List(ma.fields.String())
    languages = ma.fields.List(ma.fields.String())
    remote = ma.fields.Boolean()
    plz = ma.fields.String(allow_none=True)
    place = ma.fields.String(allow_none=True)
    lat = ma.fields.Float(
        allow_none=True, metadata={"description": "private people: centre of the PLZ area"}
    )
    lon = ma.fields.Float(allow_none=True)
    reach = ma.fields.String()
    schedule = ma.fields.String()
    starts_on = ma.fields.String(allow_none=True)
    ends_on = ma.fields.String(allow_none=True)
    time_slots = ma.fields.List(ma.fields.String())
    hours_per_week = ma.fields.Integer(allow_none=True)
    min_age = ma.fields.Integer()
    places = ma.fields.Integer(allow_none=True)
    places_left = ma.fields.Integer(allow_none=True)
    waitlist_open = ma.fields.Boolean()
    expires_on = ma.fields.String()
    url = ma.fields.String()
    licence = ma.fields.String(metadata={"description": "URL of the licence"})


class EngagementLicenceSchema(ma.Schema):
    """The licence of an open-data export."""

    name = ma.fields.String()
    url = ma.fields.String()
    uri = ma.fields.String(metadata={"description": "DCAT-AP.de licence URI"})


class EngagementOpenDataSchema(ma.Schema):
    """The open-data export: licence, DCAT-AP.de record and the offers."""

    licence = ma.fields.Nested(EngagementLicenceSchema)
    metadata = ma.fields.String(metadata={"description": "URL of the DCAT-AP.de record"})
    personal_data = ma.fields.Boolean()
    items = ma.fields.List(ma.fields.Nested(EngagementOpenDataRecordSchema))

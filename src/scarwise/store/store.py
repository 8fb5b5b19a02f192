"""The :class:`Store`: the functions of the concept modules gathered as methods of one object.

Every method is one transaction: it either writes everything or, on any error, nothing (photo
files written for a failed transaction are removed again). Inputs are checked before anything is
written: an unknown person or record is :class:`~scarwise.NotFound`; a bad date, an unknown
treatment id, an unknown frequency or a photo the intake gate refuses is
:class:`~scarwise.InvalidInput`.

Each method is the function of the same name in its module, with the store as first argument
(``store.add_person("Ann")`` is ``scarwise.store.people.add_person(store, "Ann")``), so the
documentation and the signature live in one place.
"""

from __future__ import annotations

from scarwise.store import (
    analyses,
    assessments,
    notes,
    people,
    photos,
    plans,
    regimen,
    sessions,
)
from scarwise.store import records as reading
from scarwise.store.base import StoreBase

__all__ = ["Store"]


class Store(StoreBase):
    """A tracking store on one database and its photo directory (build it with ``open_store``).

    Export, import, backup and restore are functions of :mod:`scarwise.store`
    (``export_zip(store, out)``, ...); whole jobs that also analyse, plan or draw (analyse a
    stored photo, save a plan, write the progress report) are in :mod:`scarwise.workflows`.
    """

    # people
    add_person = people.add_person
    list_people = people.list_people
    get_person = people.get_person
    delete_person = people.delete_person

    # records of each kind
    add_assessment = assessments.add_assessment
    add_photos = photos.add_photos
    add_photo_bytes = photos.add_photo_bytes
    add_gated_photos = photos.add_gated_photos
    photo = photos.photo
    photo_png = photos.photo_png
    delete_photo = photos.delete_photo
    prune_photo_files = photos.prune_photo_files
    record_analysis = analyses.record_analysis
    record_plan = plans.record_plan
    add_regimen_item = regimen.add_regimen_item
    stop_regimen_item = regimen.stop_regimen_item
    list_regimen = regimen.list_regimen
    log_dose = regimen.log_dose
    delete_regimen_item = regimen.delete_regimen_item
    add_session = sessions.add_session
    delete_session = sessions.delete_session
    add_note = notes.add_note

    # reading a person back
    records = reading.records
    history = reading.history
    progress = reading.progress

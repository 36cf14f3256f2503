"""Business rules of the monitoring app, used by the API, the pages, the admin, the importer,
the commands and the tasks. Every public name is re-exported here (`from monitoring import
services; services.propose_match(...)`).

- vocabularies: shared keys and agencies' crosswalks
- locations: what a principal may see of a point or route; sensitivity categories
- derived: the one write path for derived fields (protected area, anchor, length, categories)
- catalogue: individuals, matches, merges and splits
- reports: cross-border and joint survey reports
- data_requests: requests for precise data
- figures: dashboard figures and dataset sources
"""

from .catalogue import (
    can_review_match,
    individual_for_alias,
    merge_individuals,
    next_catalogue_code,
    propose_match,
    split_individual,
)
from .data_requests import can_decide, submit_data_request
from .derived import (
    AreaLocator,
    deployment_deleted,
    deployment_saved,
    observation_saved,
    observations_changed,
    protected_area_changed,
    refresh_anchors,
    refresh_cells,
    refresh_deployment_areas,
    refresh_deployment_locations,
    refresh_derived_locations,
    refresh_first_detected,
    refresh_transect_categories,
    replace_transect_tracks,
    species_changed,
    transect_saved,
)
from .figures import count_catalogue_updates, count_observations, register_figures, survey_tables
from .locations import (
    LOCATION_MODELS,
    annotate_view_location,
    deployment_location,
    precise_owner_ids,
    refresh_location_categories,
    transect_location,
)
from .notifications import match_proposed, other_country, request_submitted
from .reports import cross_border_table, detections_by_month, detections_chart, joint_survey_report
from .vocabularies import CodeMapper, shared_keys

__all__ = [
    "LOCATION_MODELS",
    "AreaLocator",
    "CodeMapper",
    "annotate_view_location",
    "can_decide",
    "can_review_match",
    "count_catalogue_updates",
    "count_observations",
    "cross_border_table",
    "deployment_deleted",
    "deployment_location",
    "deployment_saved",
    "detections_by_month",
    "detections_chart",
    "individual_for_alias",
    "joint_survey_report",
    "match_proposed",
    "merge_individuals",
    "next_catalogue_code",
    "observation_saved",
    "observations_changed",
    "other_country",
    "precise_owner_ids",
    "protected_area_changed",
    "propose_match",
    "refresh_anchors",
    "refresh_cells",
    "refresh_deployment_areas",
    "refresh_deployment_locations",
    "refresh_derived_locations",
    "register_figures",
    "refresh_first_detected",
    "refresh_location_categories",
    "refresh_transect_categories",
    "replace_transect_tracks",
    "request_submitted",
    "shared_keys",
    "species_changed",
    "split_individual",
    "submit_data_request",
    "survey_tables",
    "transect_location",
    "transect_saved",
]

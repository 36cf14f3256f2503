"""Joint survey and monitoring data, the shared individual catalogue and research cooperation.

Camera-trap records follow Camtrap DP 1.0.2 (deployments, media, observations) so that an import
and an export of a package give back the same rows.

The models hold fields and validation only: derived fields (protected area, length, location
sensitivity category) are kept by monitoring.services, which every write path calls. Every model
is re-exported here, so `monitoring.models.X` (and the migrations) keep working.
"""

from .catalogue import CatalogueEvent, Individual, IndividualAlias, IndividualStatus, MatchProposal, MatchStatus
from .imports import ImportJob, ImportJobStatus
from .media import (
    BulkImportedRecord,
    CaptureMethod,
    ClassificationMethod,
    Media,
    Observation,
    ObservationLevel,
)
from .protocols import (
    Crosswalk,
    EffortUnit,
    FeatureType,
    LifeStage,
    ObservationType,
    Protocol,
    ProtocolVersion,
    Sex,
    SurveyMethod,
    Vocabulary,
    VocabularyTerm,
    shared_keys,
)
from .research import (
    DOI_RE,
    DataRequest,
    DataRequestStatus,
    Publication,
    ResearchProject,
    location_dataset_choices,
    validate_doi,
)
from .surveys import Deployment, ImportRun, SamplingDesign, Survey, SurveyKind
from .transects import SnowTrackTransect, TransectTrack

__all__ = [
    "ImportJob",
    "ImportJobStatus",
    "DOI_RE",
    "BulkImportedRecord",
    "CaptureMethod",
    "CatalogueEvent",
    "ClassificationMethod",
    "Crosswalk",
    "DataRequest",
    "DataRequestStatus",
    "Deployment",
    "EffortUnit",
    "FeatureType",
    "ImportRun",
    "Individual",
    "IndividualAlias",
    "IndividualStatus",
    "LifeStage",
    "MatchProposal",
    "MatchStatus",
    "Media",
    "Observation",
    "ObservationLevel",
    "ObservationType",
    "Protocol",
    "ProtocolVersion",
    "Publication",
    "ResearchProject",
    "Sex",
    "SnowTrackTransect",
    "SamplingDesign",
    "Survey",
    "SurveyKind",
    "SurveyMethod",
    "TransectTrack",
    "Vocabulary",
    "VocabularyTerm",
    "location_dataset_choices",
    "shared_keys",
    "validate_doi",
]

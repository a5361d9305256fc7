"""The interfaces services and the ingest pipeline need, one module per aggregate; adapters
implement them. Services import from the aggregate's module; the names are re-exported here."""

from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING

# Importing one port module (as every service and adapter does) runs this file first: it names
# the re-exports for the type checker and finds each at run time on first use, so a process
# loads only the ports it uses.
if TYPE_CHECKING:
    from cadenza.ports.accounts import (
        AccountRepository,
        ArtistLinkRepository,
        AuditLog,
        Credentials,
    )
    from cadenza.ports.ads import (
        AdBreakRepository,
        AdsRepository,
        ImpressionRepository,
        RevenueShare,
        SkipsAndAdBreaks,
    )
    from cadenza.ports.api_keys import ApiKeyRepository
    from cadenza.ports.audio import (
        AudioInfo,
        AudioProbe,
        CoverArt,
        CoverImages,
        EncodedFile,
        TagReader,
        Tags,
        Transcoder,
        TranscodeResult,
    )
    from cadenza.ports.batch_inputs import BatchInputRepository
    from cadenza.ports.blends import BlendRepository
    from cadenza.ports.blobs import BlobStore, StoredBlob
    from cadenza.ports.catalog import CatalogRepository, SupplyRepository, TakedownRepository
    from cadenza.ports.clock import Clock
    from cadenza.ports.collection import CollectionRepository, Saved
    from cadenza.ports.deliveries import Delivery, DeliveryRepository
    from cadenza.ports.devices import DeviceRepository, EventSubscription, PlayerEvents
    from cadenza.ports.event_archive import EventArchiveRepository, StoredEvent
    from cadenza.ports.event_log import EventLog, LogEntry
    from cadenza.ports.events import Broadcast
    from cadenza.ports.fraud import FraudRepository
    from cadenza.ports.invoices import InvoiceRepository
    from cadenza.ports.library import KnownFile, LibraryRepository
    from cadenza.ports.listening import ListeningRepository
    from cadenza.ports.login_attempts import LoginAttemptRepository
    from cadenza.ports.mail import Mailer, MailQueue, QueuedMail
    from cadenza.ports.members import MemberRepository
    from cadenza.ports.offline import OfflineRepository
    from cadenza.ports.passwords import PasswordHasher
    from cadenza.ports.payments import (
        AttachedCard,
        CardDetails,
        Charge,
        PaymentEvent,
        PaymentEventLog,
        PaymentMethodRepository,
        PaymentProvider,
    )
    from cadenza.ports.peers import PeerTracker, Signer
    from cadenza.ports.playlists import (
        PlaylistEntryRepository,
        PlaylistFollowerRepository,
        PlaylistRepository,
    )
    from cadenza.ports.rip import FetchTally, RipFlagRepository
    from cadenza.ports.rooms import RoomRepository
    from cadenza.ports.search import SearchIndex
    from cadenza.ports.sessions import SessionRepository
    from cadenza.ports.social import SocialRepository
    from cadenza.ports.stream_tickets import StreamTicketRepository
    from cadenza.ports.students import StudentRepository, StudentVerifier
    from cadenza.ports.subscriptions import SubscriptionRepository
    from cadenza.ports.tokens import OneTimeTokenRepository
    from cadenza.ports.two_factor import Totp, TwoFactorRepository
    from cadenza.ports.unit_of_work import UnitOfWork


def __getattr__(name: str) -> object:
    for found in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{found.name}")
        if name in vars(module):
            value: object = vars(module)[name]
            globals()[name] = value
            return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "AccountRepository",
    "AdBreakRepository",
    "AdsRepository",
    "ApiKeyRepository",
    "ArtistLinkRepository",
    "AttachedCard",
    "AudioInfo",
    "AudioProbe",
    "AuditLog",
    "BatchInputRepository",
    "BlendRepository",
    "BlobStore",
    "Broadcast",
    "CardDetails",
    "CatalogRepository",
    "Charge",
    "Clock",
    "CollectionRepository",
    "CoverArt",
    "CoverImages",
    "Credentials",
    "Delivery",
    "DeliveryRepository",
    "DeviceRepository",
    "EncodedFile",
    "EventArchiveRepository",
    "EventLog",
    "EventSubscription",
    "FetchTally",
    "FraudRepository",
    "ImpressionRepository",
    "InvoiceRepository",
    "KnownFile",
    "LibraryRepository",
    "ListeningRepository",
    "LogEntry",
    "LoginAttemptRepository",
    "MailQueue",
    "Mailer",
    "MemberRepository",
    "OfflineRepository",
    "OneTimeTokenRepository",
    "PasswordHasher",
    "PaymentEvent",
    "PaymentEventLog",
    "PaymentMethodRepository",
    "PaymentProvider",
    "PeerTracker",
    "PlayerEvents",
    "PlaylistEntryRepository",
    "PlaylistFollowerRepository",
    "PlaylistRepository",
    "QueuedMail",
    "RevenueShare",
    "RipFlagRepository",
    "RoomRepository",
    "Saved",
    "SearchIndex",
    "SessionRepository",
    "Signer",
    "SkipsAndAdBreaks",
    "SocialRepository",
    "StoredBlob",
    "StoredEvent",
    "StreamTicketRepository",
    "StudentRepository",
    "StudentVerifier",
    "SubscriptionRepository",
    "SupplyRepository",
    "TagReader",
    "Tags",
    "TakedownRepository",
    "Totp",
    "TranscodeResult",
    "Transcoder",
    "TwoFactorRepository",
    "UnitOfWork",
]

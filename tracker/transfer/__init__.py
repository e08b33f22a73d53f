"""Every record as one database-neutral JSON document: `flask data export|import`.

Generic over the SQLAlchemy metadata, so tables added later travel with no change here.
`document` defines the format and the column codecs, `exporter` writes it, `reader` and
`importer` load it, `database` holds what differs between SQLite and PostgreSQL.
"""

from tracker.transfer.document import FORMAT_VERSION, TransferError

__all__ = ["FORMAT_VERSION", "TransferError"]

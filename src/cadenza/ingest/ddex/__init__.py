"""DDEX ERN deliveries: NewReleaseMessage / PurgeReleaseMessage batches (ERN 4.3 and 3.8.2).

`safexml` parses without entities, DTDs or network; `ern` reads a message into `model`;
`schema` validates ERN 4.3 against the XSD shipped in `xsd/`; `batch` finds the messages of a
folder or zip (honouring a BatchComplete manifest), checks their files' hashes and ingests each
message through the release pipeline, all or nothing, answering each with an acknowledgement or
its errors.
"""

EVENT_TYPES = {"notes.note_created": "A note was shared with a client."}

"""State changes, one transaction each: every function here takes a session
inside `Database.transaction()`, changes the models, and logs who did it and why."""

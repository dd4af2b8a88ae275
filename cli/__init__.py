"""`flask --app app …` commands: thin wrappers that parse arguments, call an
operation or the calendar engine, and print."""

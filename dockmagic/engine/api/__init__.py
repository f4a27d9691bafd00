"""One module per Engine API tag; each method is named for its operationId in snake_case."""

"""Modal screens: each is a `ModalScreen[ResultType]` returning a typed value."""

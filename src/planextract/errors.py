"""Errors. The CLI prints a PlanextractError as one line; anything else is a bug."""


class PlanextractError(Exception):
    """Base of every error the library raises on purpose."""


class InputError(PlanextractError):
    """A document or a corpus folder cannot be read as asked."""


class RulesError(PlanextractError):
    """A rules file or a plan.yaml is missing, malformed or fails its schema."""


class SchemaError(PlanextractError):
    """Output does not fit the output contract."""

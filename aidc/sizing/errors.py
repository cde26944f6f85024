"""The one exception sizing raises: demand that cannot be met, with the item and the numbers."""


class InfeasibleDemand(ValueError):
    """Demand that no plan can meet (e.g. restricted GPUs beyond the private inventory)."""

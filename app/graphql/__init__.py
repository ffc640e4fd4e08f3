"""The GraphQL API: a thin Strawberry layer over the domain modules."""

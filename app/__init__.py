"""Campaign audience stats: a GraphQL and REST service over outbound-calling campaigns."""

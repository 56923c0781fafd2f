"""IMDb's current review layout (since 2024): the server page's cards (`page`, one
card read by `card`), its ``__NEXT_DATA__`` JSON (`next_data`), which of the two
sources wins for each field (`sources`), a bare DOM
fragment's header (`header`), and the GraphQL answers of the pages after the
first (`graphql`)."""

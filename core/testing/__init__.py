"""The declarative contract layer: every API endpoint and page, every role, checked against one
table of rules that restates the access policy (docs/contract-suite.md).

    from core.testing import fixtures                      # in a test module marked django_db
    contract_world, world = fixtures.contract_world, fixtures.world
    # core.testing.endpoints.DECLARED: declare an endpoint the contract cannot infer
    # core.testing.breaches.KNOWN_BREACHES: where the code breaks a rule (strict xfails)
"""

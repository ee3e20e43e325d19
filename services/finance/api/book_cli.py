"""`tradeguard limit ...` and `tradeguard policy ...`: the underwriting book from the shell.

    tradeguard limit request --exporter-id E-1 --buyer-id B-7 --buyer-name "Acme" \\
        --buyer-country BR --grade 5 --amount 400000 --terms OA --credit-days 90
    tradeguard limit list --buyer-id B-7
    tradeguard limit cancel creditLimits/ID
    tradeguard policy bind QUOTE_ID
    tradeguard policy assign TGP-2026-... --loss-payee bank-b
    tradeguard policy overdue TGP-2026-... --buyer-id B-7 --amount 50000 --due 2026-11-30
    tradeguard policy claim TGP-2026-... --buyer-id B-7 --loss 50000
    tradeguard policy cancel TGP-2026-... [--at 2026-12-31]
    tradeguard policy events TGP-2026-...

Every command calls the running finance service (INSURER token; `policy get` and
`policy events` also answer the bank named as loss payee). Heavy imports stay inside the
functions so ``tradeguard --help`` stays fast.
"""

from __future__ import annotations

import argparse
import uuid
from datetime import UTC, datetime, time
from typing import Any

from services.commandline.output import add_json_flag, flat_pairs, print_json, record
from services.commandline.remote import add_connection_flags, open_channel
from services.commandline.values import amount, country_code, currency_code, iso_date

TERMS = ("PREPAID", "LC", "DP", "DA", "OA")


def register(subparsers: Any) -> None:
    _register_limits(subparsers.add_parser("limit", help="credit limits on buyers (insurers)"))
    _register_policies(subparsers.add_parser("policy", help="policies: bind, assign, claims"))


def _command(commands: Any, name: str, help_text: str, run: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = commands.add_parser(name, help=help_text)
    add_json_flag(parser)
    add_connection_flags(parser, "finance")
    parser.set_defaults(func=run)
    return parser


def _register_limits(group: argparse.ArgumentParser) -> None:
    commands = group.add_subparsers(dest="limit_command", required=True, metavar="ACTION")
    ask = _command(commands, "request", "ask for a limit: approved, reduced or declined", _request)
    ask.add_argument("--exporter-id", required=True, help="exporter's enterprise_id")
    ask.add_argument("--buyer-id", required=True, help="buyer_id in the trade data")
    ask.add_argument("--buyer-name", default="", help="buyer's legal name (screened)")
    ask.add_argument(
        "--buyer-country", required=True, type=country_code, help="ISO 3166-1 alpha-2 code"
    )
    ask.add_argument("--grade", type=int, default=0, help="external buyer grade 1..10")
    ask.add_argument("--rating", default="", help='external agency rating, e.g. "BB-"')
    ask.add_argument(
        "--amount", required=True, type=amount, help="limit asked for, e.g. 400000 or 400,000"
    )
    ask.add_argument("--currency", type=currency_code, default="USD", help="ISO 4217 code")
    ask.add_argument("--terms", choices=TERMS, required=True, help="payment terms")
    ask.add_argument("--credit-days", type=int, default=0, help="credit period in days")
    ask.add_argument("--request-id", default=None, help="idempotency key (default: random)")
    get = _command(commands, "get", "a limit by name", _get_limit)
    get.add_argument("name", help="creditLimits/ID, as `limit request` printed it")
    listed = _command(commands, "list", "limits, newest first", _list_limits)
    listed.add_argument("--exporter-id", default="", help="only this exporter's limits")
    listed.add_argument("--buyer-id", default="", help="only limits on this buyer")
    _paging_flags(listed, "limits")
    cancel = _command(commands, "cancel", "cancel a limit", _cancel_limit)
    cancel.add_argument("name", help="creditLimits/ID")


def _register_policies(group: argparse.ArgumentParser) -> None:
    commands = group.add_subparsers(dest="policy_command", required=True, metavar="ACTION")
    bind = _command(commands, "bind", "bind a policy from an accepted premium quote", _bind)
    bind.add_argument("quote_id", help="the premium quote accepted")
    bind.add_argument("--request-id", default=None, help="idempotency key (default: random)")
    for name, help_text, run in (
        ("get", "a policy by number", _get_policy),
        ("events", "every change of a policy (audit trail), a page at a time", _events),
    ):
        _command(commands, name, help_text, run).add_argument(
            "policy_number", help="TGP-..., as `policy bind` printed it"
        )
    _paging_flags(commands.choices["events"], "events")
    assign = _command(commands, "assign", "name a bank as loss payee", _assign)
    assign.add_argument("policy_number", help="TGP-..., as `policy bind` printed it")
    assign.add_argument("--loss-payee", required=True, help="the bank's tenant")
    overdue = _command(commands, "overdue", "report a buyer's unpaid amount", _overdue)
    claim = _command(commands, "claim", "file a claim on an overdue buyer", _claim)
    for parser, money_flag in ((overdue, "--amount"), (claim, "--loss")):
        parser.add_argument("policy_number", help="TGP-..., as `policy bind` printed it")
        parser.add_argument("--buyer-id", required=True, help="the buyer that did not pay")
        parser.add_argument(money_flag, required=True, type=amount, help="amount, e.g. 50,000")
        parser.add_argument("--currency", type=currency_code, default="USD", help="ISO 4217")
        parser.add_argument("--request-id", default=None, help="idempotency key (default: random)")
    overdue.add_argument("--due", required=True, type=iso_date, help="date it fell due")
    cancel = _command(commands, "cancel", "cancel a policy; unearned premium refunded", _cancel)
    cancel.add_argument("policy_number", help="TGP-..., as `policy bind` printed it")
    cancel.add_argument("--at", type=iso_date, default=None, help="effective date (default: now)")


def _paging_flags(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--page-size", type=int, default=0, help=f"{what} per page (default 50)")
    parser.add_argument(
        "--page-token", default="", help="next_page_token of the previous page, for the next one"
    )


def _call(args: argparse.Namespace, method: str, request: Any) -> int:
    from services._proto.tradeguard.finance.v1 import finance_pb2_grpc

    with open_channel(args) as channel:
        reply = getattr(finance_pb2_grpc.CreditInsuranceStub(channel), method)(request)
    if args.json:
        print_json(reply)
    else:
        print(record(flat_pairs(reply)))
    return 0


def _stamp(day: Any) -> Any:
    from google.protobuf.timestamp_pb2 import Timestamp

    stamp = Timestamp()
    stamp.FromDatetime(datetime.combine(day, time(), tzinfo=UTC))
    return stamp


def _money(value: Any, currency: str) -> Any:
    from services.common.money import from_decimal

    return from_decimal(value, currency)


def _request(args: argparse.Namespace) -> int:
    from services._proto.tradeguard.finance.v1 import finance_pb2

    buyer = finance_pb2.Buyer(
        buyer_id=args.buyer_id, name=args.buyer_name, country_code=args.buyer_country,
        grade=args.grade, buyer_rating=args.rating,
    )  # fmt: skip
    request = finance_pb2.RequestCreditLimitRequest(
        request_id=args.request_id or uuid.uuid4().hex, exporter_id=args.exporter_id,
        buyer=buyer, amount=_money(args.amount, args.currency), payment_terms=args.terms,
        credit_days=args.credit_days,
    )  # fmt: skip
    return _call(args, "RequestCreditLimit", request)


def _get_limit(args: argparse.Namespace) -> int:
    from services._proto.tradeguard.finance.v1 import finance_pb2

    return _call(args, "GetCreditLimit", finance_pb2.GetCreditLimitRequest(name=args.name))


def _list_limits(args: argparse.Namespace) -> int:
    from services._proto.tradeguard.finance.v1 import finance_pb2

    request = finance_pb2.ListCreditLimitsRequest(
        exporter_id=args.exporter_id, buyer_id=args.buyer_id,
        page_size=args.page_size, page_token=args.page_token,
    )  # fmt: skip
    return _call(args, "ListCreditLimits", request)


def _cancel_limit(args: argparse.Namespace) -> int:
    from services._proto.tradeguard.finance.v1 import finance_pb2

    return _call(args, "CancelCreditLimit", finance_pb2.CancelCreditLimitRequest(name=args.name))


def _bind(args: argparse.Namespace) -> int:
    from services._proto.tradeguard.finance.v1 import finance_pb2

    request = finance_pb2.BindPolicyRequest(
        request_id=args.request_id or uuid.uuid4().hex, quote_id=args.quote_id
    )
    return _call(args, "BindPolicy", request)


def _get_policy(args: argparse.Namespace) -> int:
    from services._proto.tradeguard.finance.v1 import finance_pb2

    request = finance_pb2.GetPolicyRequest(policy_number=args.policy_number)
    return _call(args, "GetPolicy", request)


def _events(args: argparse.Namespace) -> int:
    from services._proto.tradeguard.finance.v1 import finance_pb2

    request = finance_pb2.ListPolicyEventsRequest(
        policy_number=args.policy_number, page_size=args.page_size, page_token=args.page_token
    )
    return _call(args, "ListPolicyEvents", request)


def _assign(args: argparse.Namespace) -> int:
    from services._proto.tradeguard.finance.v1 import finance_pb2

    request = finance_pb2.AssignPolicyRequest(
        policy_number=args.policy_number, loss_payee=args.loss_payee
    )
    return _call(args, "AssignPolicy", request)


def _overdue(args: argparse.Namespace) -> int:
    from services._proto.tradeguard.finance.v1 import finance_pb2

    request = finance_pb2.ReportOverdueRequest(
        request_id=args.request_id or uuid.uuid4().hex, policy_number=args.policy_number,
        buyer_id=args.buyer_id, amount=_money(args.amount, args.currency),
        due_time=_stamp(args.due),
    )  # fmt: skip
    return _call(args, "ReportOverdue", request)


def _claim(args: argparse.Namespace) -> int:
    from services._proto.tradeguard.finance.v1 import finance_pb2

    request = finance_pb2.FileClaimRequest(
        request_id=args.request_id or uuid.uuid4().hex, policy_number=args.policy_number,
        buyer_id=args.buyer_id, loss=_money(args.loss, args.currency),
    )  # fmt: skip
    return _call(args, "FileClaim", request)


def _cancel(args: argparse.Namespace) -> int:
    from services._proto.tradeguard.finance.v1 import finance_pb2

    request = finance_pb2.CancelPolicyRequest(policy_number=args.policy_number)
    if args.at is not None:
        request.cancel_time.CopyFrom(_stamp(args.at))
    return _call(args, "CancelPolicy", request)

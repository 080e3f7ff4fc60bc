import click

from services.common.cli import service_cli, stop_on_signals
from services.common.logs import configure_logging
from services.common.metrics import serve_metrics_if_configured

from . import handlers, mailer
from .app import signing_keys
from .runtime import make_runtime

cli = service_cli(make_runtime)


@cli.command("grant-access")
@click.option("--name", required=True, help="The partner company's name.")
@click.option("--slug", required=True, help="The public page's slug (lowercase letters, digits, dashes).")
@click.option("--admin-email", required=True, help="The client account that becomes the admin.")
def grant_access(name, slug, admin_email):
    """Grant portal access to a partner company (operators)."""
    from marshmallow import ValidationError

    from services.common.errors import Problem
    from .schemas import GrantAccessSchema
    try:
        body = GrantAccessSchema().load({"name": name, "slug": slug, "admin_email": admin_email})
        runtime = make_runtime()
        with runtime.db.transaction() as session:
            partner = handlers.grant_access(runtime, session, **body)
            click.echo(f"granted: partner {partner.id} ({partner.slug}), admin {partner.admin_account_id}")
    except ValidationError as exc:
        raise click.ClickException(str(exc.messages))
    except Problem as exc:
        raise click.ClickException(f"{exc.code}: {exc.detail}")


@cli.command("verify-email")
@click.option("--email", required=True, help="The account's email address.")
def verify_email(email):
    """Confirm an account's email address that you checked yourself (operators; the owner
    normally opens the mailed link). Access can only be granted to a confirmed address."""
    from services.common.errors import Problem
    runtime = make_runtime()
    try:
        with runtime.db.transaction() as session:
            account = handlers.confirm_email(session, email)
            click.echo(f"verified: account {account.id} ({account.email})")
    except Problem as exc:
        raise click.ClickException(f"{exc.code}: {exc.detail}")


@cli.command("rotate-signing-key")
def rotate_signing_key():
    """Add a new token signing key; tokens signed with older keys stay valid until they expire."""
    keys = signing_keys(make_runtime().config)
    click.echo(f"new signing key {keys.rotate()}")


@cli.group("mail")
def mail():
    """Mail set aside because it could never be sent (docs/operations.md)."""


@mail.command("list")
def list_set_aside():
    """Each set-aside mail: id, when it was set aside, recipient, subject and the reason."""
    with make_runtime().db.transaction() as session:
        for m in mailer.set_aside_mails(session):
            click.echo(f"{m.id}\t{m.failed_at:%Y-%m-%dT%H:%M:%SZ}\t{m.recipient!r}\t{m.subject!r}\t{m.last_error}")


@mail.command("retry")
@click.argument("ids", nargs=-1, type=int)
@click.option("--all", "every", is_flag=True, help="Every set-aside mail.")
def retry_set_aside(ids, every):
    """Try set-aside mails again (by id, or --all), e.g. once the mail server accepts them."""
    if not ids and not every:
        raise click.UsageError("Name the mails to retry, or pass --all.")
    with make_runtime().db.transaction() as session:
        click.echo(f"{mailer.retry(session, None if every else list(ids))} mail(s) back in line")


@cli.command("send-mail")
def send_mail():
    """Send outgoing mail until stopped (SMTP_URL, or .eml files under $PORTAL_DATA_DIR/mail)."""
    configure_logging("membership-mailer")
    try:
        mailer.sender_address()
    except ValueError as exc:  # an operator's setting: say so and stop, before anything runs
        raise click.ClickException(str(exc))
    serve_metrics_if_configured()
    mailer.run(make_runtime(), stop_on_signals())


if __name__ == "__main__":
    cli()

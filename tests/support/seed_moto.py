"""Seeds a moto_server with a two-region, multi-account AI estate for aimscope's AWS tests.

Usage: seed_moto.py ENDPOINT_URL  -> prints JSON {"management": id, "members": [ids...]}

Resources are created through boto3 exactly as a user would with the AWS API; member accounts
are entered with sts:AssumeRole (moto maps the returned credentials to the target account).
"""
import io
import json
import sys
import zipfile

import boto3

ENDPOINT = sys.argv[1]
REGIONS = ["us-east-1", "eu-west-1"]
ROLE = "arn:aws:iam::{}:role/AimscopeReadOnly"


def client(service, region, creds=None):
    kw = dict(endpoint_url=ENDPOINT, region_name=region)
    if creds:
        kw.update(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                  aws_session_token=creds["SessionToken"])
    else:
        kw.update(aws_access_key_id="testing", aws_secret_access_key="testing")
    return boto3.client(service, **kw)


def enter(account):
    sts = client("sts", "us-east-1")
    return sts.assume_role(RoleArn=ROLE.format(account), RoleSessionName="seed")["Credentials"]


org = client("organizations", "us-east-1")
org.create_organization(FeatureSet="ALL")
members = []
for name in ["ml-prod", "ml-dev", "locked"]:
    st = org.create_account(AccountName=name, Email=f"{name}@example.com")["CreateAccountStatus"]
    members.append(st["AccountId"])
management = client("sts", "us-east-1").get_caller_identity()["Account"]

prod, dev, locked = members
role = "arn:aws:iam::{}:role/sagemaker-exec"

# --- ml-prod, us-east-1: the claims lineage chain -------------------------------------------
c = enter(prod)
s3 = client("s3", "us-east-1", c)
s3.create_bucket(Bucket="claims-pii")
s3.put_bucket_tagging(Bucket="claims-pii", Tagging={"TagSet": [
    {"Key": "data-classification", "Value": "pii"}, {"Key": "owner", "Value": "claims-data"}]})
s3.create_bucket(Bucket="claims-models")
s3.put_bucket_tagging(Bucket="claims-models", Tagging={"TagSet": [{"Key": "data-classification", "Value": "internal"}]})
s3.create_bucket(Bucket="untagged-raw")

sm = client("sagemaker", "us-east-1", c)
tags = [{"Key": "owner", "Value": "claims-ml"}, {"Key": "ai-system-id", "Value": "AIS-042"}]
sm.create_training_job(
    TrainingJobName="claims-train",
    AlgorithmSpecification={"TrainingImage": "123.dkr.ecr.us-east-1.amazonaws.com/xgb:1", "TrainingInputMode": "File"},
    RoleArn=role.format(prod),
    InputDataConfig=[
        {"ChannelName": "train", "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://claims-pii/train/"}}},
        {"ChannelName": "extra", "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://untagged-raw/x/"}}},
    ],
    OutputDataConfig={"S3OutputPath": "s3://claims-models/out"},
    ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 10},
    StoppingCondition={"MaxRuntimeInSeconds": 3600},
    Environment={"OPENAI_API_KEY": "sk-proj-PLANTEDSECRETVALUE0000T3BlbkFJ0000000000"},
    Tags=tags,
)
artifacts = sm.describe_training_job(TrainingJobName="claims-train")["ModelArtifacts"]["S3ModelArtifacts"]
sm.create_model(ModelName="claims-v3", ExecutionRoleArn=role.format(prod),
                PrimaryContainer={"Image": "123.dkr.ecr.us-east-1.amazonaws.com/xgb:1", "ModelDataUrl": artifacts},
                Tags=tags + [{"Key": "data-classification", "Value": "internal"}])
sm.create_endpoint_config(EndpointConfigName="claims-config", ProductionVariants=[
    {"VariantName": "main", "ModelName": "claims-v3", "InitialInstanceCount": 1, "InstanceType": "ml.m5.large"}])
sm.create_endpoint(EndpointName="claims-prod", EndpointConfigName="claims-config", Tags=tags)
sm.create_notebook_instance(NotebookInstanceName="claims-explore", InstanceType="ml.t3.medium", RoleArn=role.format(prod))
sm.create_model_package_group(ModelPackageGroupName="claims-registry")

# moto 5.2.1 serialises Bedrock custom-model timestamps as "YYYY-MM-DD HH:MM:SS", not AWS's
# ISO 8601, so Bedrock custom models / customization jobs are covered by the wire-format
# stand-in test instead (tests/aws_standin.rs).
bedrock = client("bedrock", "us-east-1", c)
bedrock.put_model_invocation_logging_configuration(loggingConfig={
    "cloudWatchConfig": {"logGroupName": "bedrock-invocations", "roleArn": role.format(prod)},
    "textDataDeliveryEnabled": True})

# --- ml-prod, us-east-1: outside AI services, with realistic fake keys -------------------------
# The values are planted so the leak test can prove none of them escapes the scanner.
PLANTED = {
    "openai": "sk-proj-PLANTEDopenaiKEY00000000T3BlbkFJ0000000000PLANTED00",
    "anthropic": "sk-ant-api03-PLANTEDanthropicKEY" + "x" * 70 + "-AA",
    "ambiguous": "sk-0123456789abcdef0123456789abcdef",
    "huggingface": "hf_PLANTEDhuggingfaceKEYabcdefghijkl",
    "groq": "gsk_PLANTEDgroqKEY" + "a" * 40,
    "mistral": "PLANTEDmistralKEY0123456789abcd",
}
iam = client("iam", "us-east-1", c)
lambda_role = iam.create_role(RoleName="lambda-exec", AssumeRolePolicyDocument=json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                            "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w") as z:
    z.writestr("handler.py", "def handler(event, context):\n    return {}\n")
lam = client("lambda", "us-east-1", c)
for fn, env in [
    ("claims-summarizer", {"OPENAI_API_KEY": PLANTED["openai"], "LOG_LEVEL": "info"}),
    ("notes-bot", {"LLM_TOKEN": PLANTED["anthropic"]}),
    ("plain", {"DB_PASSWORD": PLANTED["ambiguous"]}),
]:
    lam.create_function(FunctionName=fn, Runtime="python3.12", Role=lambda_role, Handler="handler.handler",
                        Code={"ZipFile": buf.getvalue()}, Environment={"Variables": env},
                        Tags={"owner": "apps"})
client("secretsmanager", "us-east-1", c).create_secret(Name="prod/huggingface-token", SecretString=PLANTED["huggingface"])
client("ssm", "us-east-1", c).put_parameter(Name="/apps/chat/GROQ_API_KEY", Value=PLANTED["groq"], Type="SecureString")
client("ecs", "us-east-1", c).register_task_definition(family="chat-api", containerDefinitions=[{
    "name": "api", "image": "vllm/vllm-openai:latest", "memory": 512,
    "environment": [{"name": "MISTRAL_API_KEY", "value": PLANTED["mistral"]}],
    "secrets": [{"name": "COHERE_API_KEY", "valueFrom": f"arn:aws:secretsmanager:us-east-1:{prod}:secret:cohere"}],
}])
client("ecr", "us-east-1", c).create_repository(repositoryName="ollama-serving")

# --- ml-prod, eu-west-1: a registry with more packages than one page -------------------------
sm_eu = client("sagemaker", "eu-west-1", c)
sm_eu.create_model_package_group(ModelPackageGroupName="fraud-registry")
for i in range(105):
    sm_eu.create_model_package(ModelPackageGroupName="fraud-registry", ModelApprovalStatus="Approved" if i % 2 else "PendingManualApproval",
                               InferenceSpecification={"Containers": [{"Image": "img:1"}], "SupportedContentTypes": ["text/csv"],
                                                       "SupportedResponseMIMETypes": ["text/csv"]})
# --- ml-dev, eu-west-1: an untagged shadow model ----------------------------------------------
d = enter(dev)
client("sagemaker", "eu-west-1", d).create_model(
    ModelName="Dev-Experiment", ExecutionRoleArn=role.format(dev), PrimaryContainer={"Image": "hf-tgi:latest"})

# --- locked: has an asset, but its role cannot be assumed in the test --------------------------
client("sagemaker", "us-east-1", enter(locked)).create_model(
    ModelName="hidden", ExecutionRoleArn=role.format(locked), PrimaryContainer={"Image": "x:1"})

# Credentials moto issued for each member, so a test STS stand-in can hand them out (and
# refuse the locked account) exactly as STS would.
creds = {acct: enter(acct) for acct in (prod, dev)}
for v in creds.values():
    v["Expiration"] = v["Expiration"].strftime("%Y-%m-%dT%H:%M:%SZ")
print(json.dumps({"management": management, "members": members, "creds": creds, "planted": PLANTED}))

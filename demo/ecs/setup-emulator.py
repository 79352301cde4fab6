#!/usr/bin/env python3
"""Creates what pipelines/ecs-bluegreen.yml deploys to, in the AWS emulator (moto_server), and
prints the ECS_* variables the pipeline reads, as shell `export` lines.

On AWS these come from your infrastructure code; here: a VPC with two subnets and a security
group, an application load balancer with a blue and a green target group, a production
listener (port 80) and a test listener (port 8080) forwarding to blue, a cluster and a service
`web` with the EXTERNAL deployment controller whose primary task set runs on blue.
Running it again against the same emulator reuses what exists.

    python3 demo/ecs/setup-emulator.py http://127.0.0.1:5000 > .slipway/ecs.env
"""
import os
import sys

import boto3

endpoint = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:5000"
session = boto3.session.Session(aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "testing"),
                                aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "testing"),
                                region_name="us-east-1")
ec2, elb, ecs = (session.client(name, endpoint_url=endpoint) for name in ("ec2", "elbv2", "ecs"))
NAME = "slipway-demo"


def first(items):
    return items[0] if items else None


vpc = first(ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [NAME]}])["Vpcs"])
if vpc is None:
    vpc = ec2.create_vpc(CidrBlock="10.77.0.0/16", TagSpecifications=[
        {"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": NAME}]}])["Vpc"]
vpc_id = vpc["VpcId"]
# moto gives Fargate tasks a network interface with a DNS name, and fails (500) without one.
ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": True})
subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
if len(subnets) < 2:  # an application load balancer needs two
    subnets = [ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.77.{i + 1}.0/24", AvailabilityZone=zone)["Subnet"]
               for i, zone in enumerate(["us-east-1a", "us-east-1b"])]
subnet_ids = [s["SubnetId"] for s in subnets[:2]]
group = first(ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": [NAME]},
                                                    {"Name": "vpc-id", "Values": [vpc_id]}])["SecurityGroups"])
group_id = group["GroupId"] if group else ec2.create_security_group(
    GroupName=NAME, Description="slipway ecs demo", VpcId=vpc_id)["GroupId"]

try:
    balancer = elb.describe_load_balancers(Names=[NAME])["LoadBalancers"][0]
except elb.exceptions.LoadBalancerNotFoundException:
    balancer = elb.create_load_balancer(Name=NAME, Subnets=subnet_ids)["LoadBalancers"][0]


def target_group(color):
    try:
        return elb.describe_target_groups(Names=[f"{NAME}-{color}"])["TargetGroups"][0]["TargetGroupArn"]
    except elb.exceptions.TargetGroupNotFoundException:
        return elb.create_target_group(Name=f"{NAME}-{color}", Protocol="HTTP", Port=80, VpcId=vpc_id,
                                       TargetType="ip")["TargetGroups"][0]["TargetGroupArn"]


blue, green = target_group("blue"), target_group("green")
listeners = {l["Port"]: l["ListenerArn"] for l in elb.describe_listeners(LoadBalancerArn=balancer["LoadBalancerArn"])["Listeners"]}
for port in (80, 8080):
    if port not in listeners:
        listeners[port] = elb.create_listener(LoadBalancerArn=balancer["LoadBalancerArn"], Protocol="HTTP", Port=port,
                                              DefaultActions=[{"Type": "forward", "TargetGroupArn": blue}])["Listeners"][0]["ListenerArn"]

ecs.create_cluster(clusterName=NAME)
service = first([s for s in ecs.describe_services(cluster=NAME, services=["web"])["services"] if s["status"] == "ACTIVE"])
if service is None:
    ecs.create_service(cluster=NAME, serviceName="web", desiredCount=2, deploymentController={"type": "EXTERNAL"})
    service = ecs.describe_services(cluster=NAME, services=["web"])["services"][0]
if not any(t["status"] == "PRIMARY" for t in service.get("taskSets", [])):
    definition = ecs.register_task_definition(
        family="web", networkMode="awsvpc", requiresCompatibilities=["FARGATE"], cpu="256", memory="512",
        containerDefinitions=[{"name": "web", "image": "public.ecr.aws/nginx/nginx:1.26", "cpu": 256, "memory": 512,
                               "portMappings": [{"containerPort": 80}]}])["taskDefinition"]["taskDefinitionArn"]
    task_set = ecs.create_task_set(
        cluster=NAME, service="web", taskDefinition=definition, externalId="initial", launchType="FARGATE",
        loadBalancers=[{"targetGroupArn": blue, "containerName": "web", "containerPort": 80}],
        networkConfiguration={"awsvpcConfiguration": {"subnets": subnet_ids, "securityGroups": [group_id]}},
        scale={"unit": "PERCENT", "value": 100})["taskSet"]
    ecs.update_service_primary_task_set(cluster=NAME, service="web", primaryTaskSet=task_set["taskSetArn"])

for name, value in [("ECS_ENDPOINT", endpoint), ("ECS_CLUSTER", NAME), ("ECS_TARGET_GROUP_BLUE", blue),
                    ("ECS_TARGET_GROUP_GREEN", green), ("ECS_PRODUCTION_LISTENER", listeners[80]),
                    ("ECS_TEST_LISTENER", listeners[8080]), ("ECS_SUBNET_A", subnet_ids[0]),
                    ("ECS_SUBNET_B", subnet_ids[1]), ("ECS_SECURITY_GROUP", group_id)]:
    print(f"export {name}={value}")

import {type FakeAnswer, type FakeAws, type FakeRequest, startFakeAws} from '../safety/fake-aws.js'

/**
 * How the endless endpoint pages: `fresh` answers every List call with one item and a token never
 * seen before (a listing that would go on forever); `repeat` answers with the same token every time
 * (a listing that goes round in a circle).
 */
export type EndlessMode = 'fresh' | 'repeat'

/**
 * A loopback stand-in for AWS (test/safety/fake-aws.ts) whose listings never end: each List call of
 * Secrets Manager, SSM and ECS (JSON 1.1), Lambda (REST JSON) and IAM (XML query) is answered with one
 * item and a token saying there is more. `endless` picks the listings that behave so (by operation, as
 * FakeRequest names it); the others answer one last page with no token. Other calls get what a listing
 * needs around it: STS's identity, no secret values, no parameter values, a task definition with no
 * environment.
 */
export async function startEndlessAws(mode: EndlessMode, endless: (operation: string) => boolean = () => true): Promise<FakeAws> {
  let page = 0
  return startFakeAws((request: FakeRequest): FakeAnswer => {
    page += 1
    const token = endless(request.operation) ? (mode === 'fresh' ? `token-${page}` : 'token-again') : undefined
    const json = jsonAnswer(request, page, token)
    if (json !== undefined) return {status: 200, type: '', body: JSON.stringify(json), contentType: request.operation.startsWith('GET ') ? 'application/json' : undefined}
    const xml = xmlAnswer(request, page, token)
    if (xml !== undefined) return {status: 200, type: '', body: xml, contentType: 'text/xml'}
    return {status: 400, type: 'UnknownOperationException', message: `the endless endpoint does not answer ${request.operation}`}
  })
}

/** The JSON services' answers (the operation is the X-Amz-Target, or Lambda's REST method and path). */
function jsonAnswer(request: FakeRequest, page: number, token: string | undefined): unknown {
  switch (request.operation) {
    case 'secretsmanager.ListSecrets':
      // Not under /endless/app: a migration of that path finds no secret there, so its plan may stream.
      return {SecretList: [{ARN: `arn:aws:secretsmanager:us-east-1:123456789012:secret:/endless/secrets/S${page}-abcdef`, Name: `/endless/secrets/S${page}`}], NextToken: token}
    case 'secretsmanager.BatchGetSecretValue':
      return {SecretValues: [], Errors: []}
    case 'secretsmanager.GetResourcePolicy':
      // Every secret listed has no resource policy: audit reads each one's.
      return {Name: 'endless'}
    case 'AmazonSSM.GetParametersByPath':
      return {Parameters: [{Name: `/endless/app/P${page}`, Type: 'String', Value: `value-${page}`, Version: 1}], NextToken: token}
    case 'AmazonSSM.DescribeParameters':
      return {Parameters: [{Name: `/endless/app/P${page}`, Type: 'String'}], NextToken: token}
    case 'AmazonSSM.GetParameters':
      return {Parameters: [], InvalidParameters: (JSON.parse(request.body) as {Names?: string[]}).Names ?? []}
    case 'AmazonEC2ContainerServiceV20141113.ListTaskDefinitionFamilies':
      return {families: [`endless-${page}`], nextToken: token}
    case 'AmazonEC2ContainerServiceV20141113.DescribeTaskDefinition':
      return {taskDefinition: {family: 'endless', revision: 1, containerDefinitions: []}}
  }

  if (request.operation.startsWith('GET /2015-03-31/functions')) {
    return {Functions: [{FunctionName: `endless-${page}`, FunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:endless-${page}`, Environment: {Variables: {}}}], NextMarker: token}
  }

  return undefined
}

/** The query services' answers (IAM, STS), in their XML. */
function xmlAnswer(request: FakeRequest, page: number, token: string | undefined): string | undefined {
  if (request.operation === 'GetAccountAuthorizationDetails') {
    const role = `<member><RoleName>endless-${page}</RoleName><RoleId>AROAENDLESS${page}</RoleId><Arn>arn:aws:iam::123456789012:role/endless-${page}</Arn><Path>/</Path><CreateDate>2026-01-01T00:00:00Z</CreateDate><RolePolicyList/><AttachedManagedPolicies/></member>`
    return iamXml(
      'GetAccountAuthorizationDetails',
      `<IsTruncated>${token !== undefined}</IsTruncated>${token === undefined ? '' : `<Marker>${token}</Marker>`}<UserDetailList/><GroupDetailList/><RoleDetailList>${role}</RoleDetailList><Policies/>`,
    )
  }

  if (request.operation === 'GetCallerIdentity') {
    return `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/endless</Arn><UserId>AIDAENDLESS</UserId><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>endless</RequestId></ResponseMetadata></GetCallerIdentityResponse>`
  }

  return undefined
}

function iamXml(action: string, result: string): string {
  return `<${action}Response xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>endless</RequestId></ResponseMetadata></${action}Response>`
}

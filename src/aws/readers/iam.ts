import {type GetAccountAuthorizationDetailsCommandOutput, type IAMClient, paginateGetAccountAuthorizationDetails} from '@aws-sdk/client-iam'

import type {IamAuthorizationPage, IamReader} from '../../core/readers.js'
import {LISTINGS, listPages} from '../paging.js'
import {translatedPages} from './pages.js'

/**
 * IAM behind the IamReader port. One paginated GetAccountAuthorizationDetails call returns every
 * role, user and customer-managed policy with their documents (URL-encoded), instead of a List/Get
 * call per role and policy.
 */
export class AwsIamReader implements IamReader {
  constructor(private readonly client: IAMClient) {}

  authorizationDetails(): AsyncIterable<IamAuthorizationPage> {
    const pages = listPages(LISTINGS.getAccountAuthorizationDetails, paginateGetAccountAuthorizationDetails, this.client, {Filter: ['Role', 'User', 'LocalManagedPolicy']}, {
      // IAM says `IsTruncated: false` on the last page; a Marker beside it is not followed.
      last: (page) => !page.IsTruncated,
    })
    return translatedPages(pages, {action: 'iam:GetAccountAuthorizationDetails'}, toPage)
  }
}

function toPage(page: GetAccountAuthorizationDetailsCommandOutput): IamAuthorizationPage {
  const result: IamAuthorizationPage = {managedPolicies: [], roles: [], users: []}
  for (const policy of page.Policies ?? []) {
    const version = policy.PolicyVersionList?.find((candidate) => candidate.IsDefaultVersion) ?? policy.PolicyVersionList?.[0]
    if (!policy.Arn || version?.Document === undefined) continue
    result.managedPolicies.push({arn: policy.Arn, name: policy.PolicyName ?? policy.Arn, document: version.Document})
  }

  for (const role of page.RoleDetailList ?? []) {
    result.roles.push({
      name: role.RoleName ?? '?',
      inlinePolicies: (role.RolePolicyList ?? []).map((policy) => ({name: policy.PolicyName ?? '?', document: policy.PolicyDocument ?? '{}'})),
      attachedPolicyArns: (role.AttachedManagedPolicies ?? []).map((policy) => policy.PolicyArn ?? ''),
    })
  }

  for (const user of page.UserDetailList ?? []) {
    result.users.push({
      name: user.UserName ?? '?',
      inlinePolicies: (user.UserPolicyList ?? []).map((policy) => ({name: policy.PolicyName ?? '?', document: policy.PolicyDocument ?? '{}'})),
      attachedPolicyArns: (user.AttachedManagedPolicies ?? []).flatMap((policy) => (policy.PolicyArn ? [policy.PolicyArn] : [])),
    })
  }

  return result
}
